"""/import: a whole-number cell holding a digit Python reads but int() refuses ("²"), another
script's digits or an endless number is a cell error (sheet, line, column, value), in CSV and
in XLSX, never "problème technique" or "fichier abîmé"."""

from __future__ import annotations

import pytest

from tests.harness import Harness
from tests.imports.workbooks import csv_file, workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHEET = "Ateliers et formations"
ODD = ("²", "٣", "1" * 5000)


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
async def test_odd_digits_in_a_number_cell_are_cell_errors(sqlite_bot: Harness, kind: str) -> None:
    rows = [
        (f"EV-{i}", "Atelier Émergence", "Idée", "12/05/2023", None, "Oui", value, "Dijon")
        for i, value in enumerate(ODD, start=1)
    ]
    admin = sqlite_bot.admin()
    if kind == "csv":
        admin.send_document("ateliers.csv", csv_file(SHEET, rows), "text/csv")
    else:
        admin.send_document("ateliers.xlsx", workbook({SHEET: rows}), XLSX)
    message = await admin.expect("Essai d'import")
    lines = (message.text or "").split("\n")
    for line_number, value in enumerate(ODD[:2], start=2):
        expected = (
            f"• {SHEET}, ligne {line_number}, colonne « Participants » : "
            f"ce n'est pas un nombre entier (« {value} »)"
        )
        assert expected in lines, message.text
    assert any(line.startswith(f"• {SHEET}, ligne 4, colonne « Participants »") for line in lines)
    assert message.reply_markup is None
