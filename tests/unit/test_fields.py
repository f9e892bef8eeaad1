"""The one registry of question types: every type is complete, conditions are plain data."""

from __future__ import annotations

import string
from pathlib import Path

import pytest
import yaml

from pes21_bot.domain.fields import (
    TYPES,
    AtLeast,
    Invalid,
    InvalidCode,
    Question,
    match_choice,
    question,
)
from pes21_bot.domain.form_spec import FormSpec, is_visible
from pes21_bot.domain.forms import ACCOMPANIMENT_END, FORMS
from pes21_bot.handlers.form_engine import BUTTONS
from pes21_bot.runner import CONTENT_DIR
from pes21_bot.texts import REGISTRY
from pes21_bot.texts import forms as forms_texts

ROOT = Path(__file__).resolve().parents[2]


def test_every_type_can_be_written_in_the_questionnaires() -> None:
    header = (ROOT / "contenus" / "questionnaires.yaml").read_text(encoding="utf-8")
    listed = header.split("Types possibles :", 1)[1].split(".", 1)[0]
    assert {name.strip(" ,\n#") for name in listed.split(",")} == set(TYPES)
    for kind, registered in TYPES.items():
        choices = {"a": "A"} if registered.has_choices else {}
        parsed = Question.model_validate(
            {"id": "q", "type": kind, "prompt": "?", "label": "Q", "choices": choices}
        )
        assert parsed.type == kind
    assert set(BUTTONS) <= set(TYPES)


def test_every_refusal_code_has_its_text_with_the_parameters_it_passes() -> None:
    texts_file = yaml.safe_load((CONTENT_DIR / "formulaires.yaml").read_text(encoding="utf-8"))
    for code in InvalidCode:
        name = f"forms.invalid.{code}"
        assert REGISTRY[name].params == code.params, name
        assert forms_texts.invalid(code) is REGISTRY[name]
        template = texts_file["forms"]["invalid"][str(code)]
        placeholders = {field for _, field, _, _ in string.Formatter().parse(template) if field}
        assert placeholders == code.params, name


def test_a_refusal_with_other_parameters_than_its_code_declares_is_a_bug() -> None:
    with pytest.raises(ValueError, match="too_long"):
        Invalid(InvalidCode.TOO_LONG, {"max": 200})


def test_an_unknown_type_is_refused() -> None:
    with pytest.raises(ValueError, match="type inconnu"):
        question("q", "zipcode")


def test_conditions_are_data_and_read_from_yaml() -> None:
    raw = yaml.safe_load("when: {jobs: {min: 1}, stage: [created]}")
    conditional = question("kind", "text", **raw)
    assert conditional.when["jobs"] == AtLeast(min=1)
    assert is_visible(conditional, {"jobs": 2, "stage": "created"})
    assert not is_visible(conditional, {"jobs": 0, "stage": "created"})
    assert not is_visible(conditional, {"jobs": True, "stage": "created"})
    for spec in FORMS.values():
        for item in spec.questions:
            assert not any(callable(c) for c in item.when.values())


def test_progress_counts_the_questions_visible_so_far() -> None:
    spec = ACCOMPANIMENT_END
    outcome = spec.questions[0]
    assert spec.progress({}, outcome) == (1, 2)
    answers = {"outcome": "structure_created", "legal_form": "scop"}
    current = spec.next_question(answers)
    assert current is not None and current.id == "created_on"
    assert spec.progress(answers, current) == (3, 6)


def test_skip_is_refused_only_when_no_contact_would_remain() -> None:
    email = question("email", "email", optional=True)
    phone = question("phone", "phone", optional=True)
    spec = FormSpec("t", (email, phone), at_least_one=("email", "phone"))
    assert spec.may_skip(email, {})
    assert spec.may_skip(phone, {"email": "a@b.fr"})
    assert not spec.may_skip(phone, {"email": None})


def test_a_word_of_one_choice_designates_it_and_a_shared_word_none() -> None:
    """People type one word of a button's label ("environnement"): taken when only one label
    has it, refused when several do or when it is too short to mean anything."""
    choices = {
        "environment": "🌱 Environnement, réemploi",
        "trade": "Commerce, artisanat",
        "culture": "Culture, arts",
    }
    assert match_choice(choices, "environnement") == "environment"
    assert match_choice(choices, "Commerce") == "trade"
    assert match_choice(choices, "arts") == "culture"
    assert match_choice({"a": "Emploi salarié", "b": "Emploi aidé"}, "emploi") is None
    assert match_choice(choices, "et") is None
