"""The Pôle's 2023 activity imported by an admin through the chat: /rapport 2023 reads like the
published report, figure by figure."""

from __future__ import annotations

import io

import openpyxl

from tests.harness import Harness
from tests.imports.workbooks import HEADERS, REPORT_2023, pole_2023, workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def test_the_template_names_every_sheet_and_explains_every_column(
    sqlite_bot: Harness,
) -> None:
    admin = sqlite_bot.admin()
    admin.send_command("/import")
    message = await admin.expect("modèle à remplir")
    assert message.document is not None and message.document.filename == "modele-import.xlsx"
    book = openpyxl.load_workbook(io.BytesIO(message.document.content or b""), read_only=True)
    assert book.sheetnames == [
        "Dossiers",
        "Accompagnements",
        "Jalons DLA",
        "Ateliers et formations",
        "Notes",
    ]
    header = next(book["Dossiers"].iter_rows(values_only=True))
    assert header[:3] == ("Clé", "Dispositif", "Date du premier contact")
    notes = list(book["Notes"].iter_rows(values_only=True))
    assert notes[0] == ("Feuille", "Colonne", "Explication")
    # One line per column of every sheet, each with a French explanation.
    assert len(notes) - 1 == 8 + 9 + 5 + 8
    assert all(row[2] for row in notes[1:])


async def test_importing_2023_gives_the_published_report(bot: Harness) -> None:
    admin = bot.admin()
    admin.send_document("activite-2023.xlsx", workbook(pole_2023()), XLSX)
    dry_run = await admin.expect("Essai d'import")
    text = dry_run.text or ""
    assert "• Dossiers : 105 lignes à créer, 0 déjà importée (ignorée)" in text
    assert "• Ateliers et formations : 28 lignes à créer" in text
    assert "erreur" not in text
    # Nothing is written before "Importer".
    assert await bot.projects() == []

    admin.press("Importer", dry_run)
    done = await admin.expect("Import terminé")
    assert "lignes créées" in (done.text or "")

    admin.send_command("/rapport", "2023")
    report = await admin.expect("Rapport d'activité")
    lines = (report.text or "").split("\n")
    for line in REPORT_2023:
        assert line in lines, line
    # The years around keep their own figures: 2022's accompaniment, structure and jobs.
    admin.send_command("/rapport", "2022")
    before = (await admin.expect("Rapport d'activité")).text or ""
    assert "• 1 structure créée" in before and "• 4 emplois créés" in before
    assert "• 13 structures accueillies" in before


async def test_the_workshops_saved_as_csv_by_a_french_excel_give_the_same_lines(
    sqlite_bot: Harness,
) -> None:
    admin = sqlite_bot.admin()
    rows = pole_2023()["Ateliers et formations"]
    lines = [";".join(HEADERS["Ateliers et formations"])]
    for key, kind, title, when, partner, runs, people, place in rows:
        # What a French Excel writes: capitals, no accents, trailing spaces, French dates.
        typed = f"{kind.upper()} " if kind.startswith("Paroles") else kind.replace("É", "E")
        cells = [key, typed, title, when.strftime("%d/%m/%Y"), partner, runs, people, place]
        lines.append(";".join("" if c is None else str(c) for c in cells))
    lines.insert(5, "")  # an empty line in the middle
    text = "\r\n".join(lines) + "\r\n"
    admin.send_document("ateliers-2023.csv", text.encode("cp1252"), "text/csv")
    admin.press("Importer", await admin.expect("Essai d'import"))
    await admin.expect("Import terminé")
    admin.send_command("/rapport", "2023")
    report = ((await admin.expect("Rapport d'activité")).text or "").split("\n")
    start = REPORT_2023.index("En 2023, la sensibilisation et les formations, c'est :")
    for line in REPORT_2023[start:]:
        assert line in report, line
