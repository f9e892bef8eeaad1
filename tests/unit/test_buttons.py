"""Button families: unique prefixes, callback data within Telegram's 64 bytes for the largest
ids and the longest codes, parse(pack(x)) == x, every family routed and declared in the table,
every registered button handler routed by a family."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ConversationHandler

from pes21_bot import access, buttons
from pes21_bot.app import build_application
from pes21_bot.buttons import MAX_CALLBACK_BYTES, MAX_ID, Button, Code
from pes21_bot.config import Config
from pes21_bot.content import Content
from pes21_bot.db.session import make_engine, make_session_factory
from pes21_bot.domain.fields import question
from pes21_bot.domain.forms import FORMS
from pes21_bot.domain.vocabulary import PATHS
from pes21_bot.messages.render import choices_of

ENGINE_FAMILIES = (buttons.INTAKE_FORM, buttons.SHORT_FORM)


def test_prefixes_are_unique_and_none_is_a_prefix_of_another_pattern() -> None:
    prefixes = [f.prefix for f in buttons.FAMILIES]
    assert len(prefixes) == len(set(prefixes)) and len(prefixes) >= 36
    assert all(":" not in p for p in prefixes)


@pytest.mark.parametrize("family", buttons.FAMILIES, ids=lambda f: f.prefix)
def test_the_longest_data_fits_and_round_trips(family: Button) -> None:
    longest = family.longest()
    assert len(longest.encode()) <= MAX_CALLBACK_BYTES, longest
    values = family.parse(longest)
    assert values is not None and family.pack(*values) == longest
    assert family.parse(f"{longest}:extra") is None
    assert family.parse(longest.replace(family.prefix, f"{family.prefix}x", 1)) is None


def test_ids_beyond_64_bits_and_forged_words_do_not_parse() -> None:
    assert buttons.CLAIM.parse(f"claim:{MAX_ID}") == (MAX_ID,)
    assert buttons.CLAIM.parse(f"claim:{MAX_ID + 1}") is None
    assert buttons.CLAIM.parse("claim:-1") is None
    assert buttons.REVIEW.parse("rv:explode:1") is None
    with pytest.raises(ValueError, match="does not fit"):
        buttons.ERASE.pack("maybe")


def _field_of(family: Button, index: int) -> Code:
    field = family.fields[index]
    assert isinstance(field, Code)
    return field


def test_every_code_of_config_and_contenus_fits_its_field(config: Config, content: Content) -> None:
    question = _field_of(buttons.ANSWER, 1)
    value = _field_of(buttons.ANSWER, 2)
    for questionnaire in content.questionnaires.values():
        for item in questionnaire.questions:
            assert question.parse(item.id), item.id
            assert all(value.parse(v) for v in item.choices), item.id
    for spec in FORMS.values():
        for field in spec.questions:
            assert _field_of(buttons.FORM_ANSWER, 1).parse(field.id), field.id
            values = choices_of(content, field)
            assert all(_field_of(buttons.FORM_ANSWER, 2).parse(v) for v in values), field.id
    milestones = {m for ms in config.accompaniment.milestones.values() for m in ms}
    assert all(_field_of(buttons.ACC_MILESTONE, 1).parse(m) for m in milestones)
    assert all(_field_of(buttons.CLOSE, 1).parse(r) for r in content.lists["close_reasons"])
    assert all(_field_of(buttons.REDIRECT, 1).parse(p) for p in config.programmes)
    for path in content.questionnaires:
        assert _field_of(buttons.MENU, 0).parse(path) and _field_of(buttons.CONSENT, 0).parse(path)


def test_a_question_id_or_choice_too_long_for_its_buttons_is_refused_when_declared() -> None:
    longest = "q" * _field_of(buttons.ANSWER, 1).max_length
    assert question(longest, "text").id == longest
    with pytest.raises(ValidationError):
        question(f"{longest}x", "text")
    value = "v" * _field_of(buttons.ANSWER, 2).max_length
    assert value in question("q", "choice", choices={value: "Oui"}).choices
    with pytest.raises(ValidationError):
        question("q", "choice", choices={f"{value}x": "Oui"})


@pytest.mark.parametrize("form", ENGINE_FAMILIES, ids=("intake", "short_forms"))
def test_the_form_engine_buttons_round_trip_with_the_largest_ids(form: buttons.FormButtons) -> None:
    draft, mask = MAX_ID, MAX_ID
    question_id = _field_of(form.answer, 1).longest()
    value = _field_of(form.answer, 2).longest()
    assert form.answer.parse(form.answer.pack(draft, question_id, value)) == (
        draft,
        question_id,
        value,
    )
    for family in (form.toggle, form.validate):
        assert family.parse(family.pack(draft, question_id, mask)) == (draft, question_id, mask)
    for question_family in (form.skip, form.edit):
        packed = question_family.pack(draft, question_id)
        assert question_family.parse(packed) == (draft, question_id)
    # What the engine packs under every recap.
    for word in ("save", "cancel"):
        assert form.recap.parse(form.recap.pack(draft, word)) == (draft, word)
    assert form.validate.parse(f"{form.validate.prefix}:12:needs:{MAX_ID + 1}") is None
    assert form.answer.parse(f"{form.answer.prefix}:12::yes") is None


def test_the_two_kinds_of_forms_share_no_family() -> None:
    intake, short = (set(vars(form).values()) for form in ENGINE_FAMILIES)
    assert len(intake) == len(short) == 6 and not intake & short
    assert intake | short <= set(buttons.FAMILIES)


def test_the_menu_paths_go_to_the_intake_and_its_other_items_to_the_welcome() -> None:
    paths = re.compile(buttons.MENU.pattern_of(PATHS))
    assert all(paths.match(buttons.MENU.pack(path, "-")) for path in PATHS)
    for item in ("faq", "agenda", "volunteer", "menu", "ideas"):
        data = buttons.MENU.pack(item, "-")
        assert not paths.match(data) and re.match(buttons.MENU.pattern, data)


def _walk(handlers: list[Any]) -> list[Any]:
    found = []
    for handler in handlers:
        if isinstance(handler, ConversationHandler):
            found += _walk(list(handler.entry_points) + list(handler.fallbacks))
            for state in handler.states.values():
                found += _walk(list(state))
        else:
            found.append(handler)
    return found


def _application(
    config: Config, content: Content, tmp_path: Path
) -> Application[Any, Any, Any, Any, Any, Any]:
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'unused.db'}")
    return build_application(
        config, content, make_session_factory(engine), token="1:T", rate_limiter=False
    )


def test_every_registered_command_and_button_is_in_the_table(
    config: Config, content: Content, tmp_path: Path
) -> None:
    app = _application(config, content, tmp_path)
    handlers = _walk([h for group in app.handlers.values() for h in group])
    commands = {c for h in handlers if isinstance(h, CommandHandler) for c in h.commands}
    assert commands <= set(access.COMMANDS)
    assert set(access.COMMANDS) == commands
    patterns = [h.pattern for h in handlers if isinstance(h, CallbackQueryHandler) and h.pattern]
    for family in buttons.FAMILIES:
        assert family.prefix in access.BUTTONS
        assert any(p.match(family.longest()) for p in patterns), family.prefix  # type: ignore[union-attr]
    assert set(access.BUTTONS) == {f.prefix for f in buttons.FAMILIES}


def _from_a_family(pattern: str) -> bool:
    """A family's pattern, or the same narrowed to some first field values (Button.pattern_of)."""
    return any(
        pattern == f.pattern
        or (pattern.startswith(f"{f.pattern}(?:") and pattern.endswith(f"){buttons.SEPARATOR}"))
        for f in buttons.FAMILIES
    )


def test_every_registered_button_handler_is_routed_by_a_family(
    config: Config, content: Content, tmp_path: Path
) -> None:
    app = _application(config, content, tmp_path)
    handlers = _walk([h for group in app.handlers.values() for h in group])
    routed = [h for h in handlers if isinstance(h, CallbackQueryHandler)]
    assert len(routed) > len(buttons.FAMILIES)  # the conversation's states repeat its buttons
    # One handler takes every press: the last one, for a forged or stale button no family takes.
    catch_all = [h for h in routed if h.pattern is None]
    assert catch_all == [app.handlers[0][-1]]
    for handler in (h for h in routed if h not in catch_all):
        pattern = handler.pattern
        assert isinstance(pattern, re.Pattern), pattern  # not a catch-all, not a callable
        assert _from_a_family(pattern.pattern), pattern.pattern
    assert not _from_a_family("^zz:") and not _from_a_family(r"^m:(idea|dla):")  # hand-written
