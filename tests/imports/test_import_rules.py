"""How a cell is read and a row keyed (pure rules), and the template's words in contenus/."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from pes21_bot.config import Config
from pes21_bot.content import Content
from pes21_bot.domain import imports as spec
from pes21_bot.domain.french_format import slug
from pes21_bot.services.imports import labels_of

TODAY = date(2026, 3, 10)
CHOICES = {"programmes": spec.choice_index({"dla": "DLA", "benefices_crea": "Bénéfices'Créa"})}


@pytest.mark.parametrize(
    ("column", "raw", "expected"),
    [
        (spec.Column("n", "int"), 3.0, (3, None)),  # Excel stores every number as a float
        (spec.Column("n", "int"), " 12 ", (12, None)),
        (spec.Column("n", "int"), 2.5, (None, "not_int")),
        (spec.Column("n", "int"), "1,5", (None, "not_int")),
        (spec.Column("n", "int"), True, (None, "not_int")),
        (spec.Column("n", "int"), "-4", (None, "negative")),
        (spec.Column("d", "date"), datetime(2023, 3, 4, 0, 0), (date(2023, 3, 4), None)),
        (spec.Column("d", "date"), "04/03/2023", (date(2023, 3, 4), None)),
        (spec.Column("d", "date"), "2023-03-04", (date(2023, 3, 4), None)),
        (spec.Column("d", "date"), "31/02/2023", (None, "not_date")),
        (spec.Column("d", "date"), "11/03/2026", (None, "date_range")),  # tomorrow
        (spec.Column("d", "date"), "01/01/1999", (None, "date_range")),
        (spec.Column("y", "yesno"), "Oui", (True, None)),
        (spec.Column("y", "yesno"), "NON", (False, None)),
        (spec.Column("y", "yesno"), "peut-être", (None, "unknown_choice")),
        (
            spec.Column("p", "choice", choices="programmes"),
            "benefices créa",
            ("benefices_crea", None),
        ),
        (spec.Column("p", "choice", choices="programmes"), "dla", ("dla", None)),
        (spec.Column("t", max_length=3), "abcd", (None, "too_long")),
        (spec.Column("t", required=True), "  ", (None, "required")),
        (spec.Column("t"), None, (None, None)),
    ],
)
def test_a_cell_is_read_or_refused(column: spec.Column, raw: object, expected: object) -> None:
    assert spec.read_cell(column, raw, CHOICES, TODAY) == expected


def test_a_row_without_a_key_column_is_keyed_by_its_identity_whatever_its_spelling() -> None:
    sheet = spec.MILESTONES
    base = {"dossier": "DLA-01", "milestone": "dla_diagnostic", "on": date(2023, 3, 1)}
    key = spec.row_key(sheet, base)
    assert key.startswith("milestones:") and len(key) <= 120
    assert spec.row_key(sheet, {**base, "dossier": "dla-01 "}) == key
    assert spec.row_key(sheet, {**base, "jobs_consolidated": 12}) == key  # not identifying
    assert spec.row_key(sheet, {**base, "on": date(2023, 3, 2)}) != key
    assert spec.row_key(spec.DOSSIERS, {"key": "BC-1"}) == "dossiers:BC-1"


def test_every_column_has_a_title_and_an_explanation(config: Config, content: Content) -> None:
    labels = labels_of(content, config)
    for sheet in spec.SHEETS:
        assert sheet.id in labels.sheets
        for column in sheet.columns:
            assert labels.columns[sheet.id][column.id], (sheet.id, column.id)
            assert labels.notes[sheet.id][column.id], (sheet.id, column.id)
    for code in spec.ERROR_CODES:
        assert code in content.lists["import_errors"], code
    # Every kind of event of config.yaml can be imported, by its label or its code.
    for kind, label in content.lists["event_kinds"].items():
        assert labels.choices["event_kinds"][slug(label)] == kind


def test_every_other_word_in_contenus_names_a_value_of_its_list(
    content: Content, config: Config
) -> None:
    choices = labels_of(content, config).choices
    synonym_lists = {
        name.removeprefix(spec.SYNONYMS_PREFIX): words
        for name, words in content.lists.items()
        if name.startswith(spec.SYNONYMS_PREFIX)
    }
    assert synonym_lists, "contenus/import_synonymes.yaml is loaded"
    for name, words in synonym_lists.items():
        assert name in choices, name
        for word, code in words.items():
            assert choices[name].get(slug(word)) == code, (name, word)


def test_a_label_wins_over_a_synonym_spelled_the_same() -> None:
    index = spec.choice_index({"a": "Atelier", "b": "Bilan"}, {"atelier": "b", "Autre": "zz"})
    assert index[slug("ATELIER")] == "a"
    assert slug("Autre") not in index  # a synonym of no value of the list is left out


def test_partners_are_counted_under_their_group(config: Config) -> None:
    label = config.events.partner_label
    assert label(" irts ") == label("IRTESS") == "IRTESS/IRTS"
    assert label("Francas  Côte-d'Or ") == "Francas Côte-d'Or"
