"""/export (XLSX, CSV zip, personal columns by role) and /graphique (PNG chart)."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import datetime

from openpyxl import load_workbook

from pes21_bot.fake_telegram import BotMessage
from pes21_bot.services import events
from tests.harness import Harness
from tests.stats.scenario import HOLDER_EMAIL, HOLDER_NAME, seed_scenario
from tests.stats.seed import Seeder


def sheet_rows(message: BotMessage, title: str) -> list[list[object]]:
    """The rows (header first) of one sheet of the workbook the bot sent."""
    assert message.document is not None and message.document.content is not None
    workbook = load_workbook(io.BytesIO(message.document.content), read_only=True)
    rows = [list(row) for row in workbook[title].iter_rows(values_only=True)]
    width = len(rows[0])
    return [row + [None] * (width - len(row)) for row in rows]  # empty cells are not stored


async def test_admin_export_has_every_table_with_personal_columns(bot: Harness) -> None:
    async with bot.session_factory.begin() as session:
        await seed_scenario(session)
    admin = bot.admin()
    admin.send_command("/export", "2025")
    await admin.expect("Je prépare le fichier")
    sent = await admin.expect("Données 2025 (XLSX)")
    assert sent.document is not None and sent.document.filename == "pes21-2025.xlsx"
    assert "données personnelles" in (sent.caption or "")
    assert sent.document.content is not None
    titles = load_workbook(io.BytesIO(sent.document.content), read_only=True).sheetnames
    assert titles == [
        "Indicateurs",
        "Dossiers",
        "Événements",
        "Bilans",
        "Temps bénévole",
        "Ateliers et événements",
        "Présences",
        "Satisfaction",
    ]

    projects = sheet_rows(sent, "Dossiers")
    header = projects[0]
    assert header[:3] == ["Référence", "Envoyé le", "Dispositif d'accueil"]
    assert {"Nom", "E-mail", "Téléphone", "Description"} <= set(header)
    assert len(projects) == 1 + 5  # the five projects welcomed in 2025
    first = dict(zip(header, projects[1], strict=True))
    assert first["Nom"] == HOLDER_NAME and first["E-mail"] == HOLDER_EMAIL
    assert first["Commune"] == "Dijon" and first["En Côte-d'Or"] == "Oui"
    assert first["Envoyé le"] == datetime(2025, 2, 3, 10, 0)  # Paris wall-clock time
    redirected = dict(zip(header, projects[2], strict=True))
    assert redirected["Dispositif d'accueil"] == "Accueil en amont"
    assert redirected["Dispositif actuel"] == "Bénéfices'Créa"

    figures = sheet_rows(sent, "Indicateurs")
    assert figures[0] == ["Indicateur", "Dispositif", "Détail", "Valeur", "Définition"]
    welcomed = [r for r in figures if r[0] == "Projets accueillis" and r[1] == "Bénéfices'Créa"]
    assert welcomed[0][3] == 3 and "première orientation" in str(welcomed[0][4])

    events = sheet_rows(sent, "Événements")
    assert "Personne" in events[0]
    columns = events[0]
    structure = [dict(zip(columns, r, strict=True)) for r in events if r[1] == "structure créée"]
    assert structure[0]["Forme juridique"] == "SCOP"  # the data as readable columns
    reviews = sheet_rows(sent, "Bilans")
    assert len(reviews) == 1 + 4  # due in 2025 (the one due in 2026 is not)
    time = sheet_rows(sent, "Temps bénévole")
    assert time[1][3:5] == [2.5, 30] and time[1][5] == "Vera Testeur"


async def test_anonymous_and_staff_exports_have_no_personal_columns(sqlite_bot: Harness) -> None:
    async with sqlite_bot.session_factory.begin() as session:
        await seed_scenario(session)
    admin = sqlite_bot.admin()
    admin.send_command("/export", "2025 anonyme")
    sent = await admin.expect("Sans données personnelles")
    assert sent.document is not None and sent.document.filename == "pes21-2025-anonyme.xlsx"
    for title in ("Dossiers", "Événements", "Bilans", "Temps bénévole"):
        cells = {str(c) for row in sheet_rows(sent, title) for c in row}
        assert not cells & {"Nom", "E-mail", "Personne", "Bénévole", HOLDER_NAME, HOLDER_EMAIL}

    karim = sqlite_bot.staff("Karim")  # DLA staff, no "anonyme" asked: anonymous all the same
    karim.send_command("/export", "2025")
    staff_file = await karim.expect("Sans données personnelles")
    projects = sheet_rows(staff_file, "Dossiers")
    assert "Nom" not in projects[0]
    assert [row[2] for row in projects[1:]] == ["DLA"]
    assert {row[2] for row in sheet_rows(staff_file, "Événements")[1:]} == {"DLA"}


async def test_csv_export_is_a_zip_of_semicolon_files(sqlite_bot: Harness) -> None:
    async with sqlite_bot.session_factory.begin() as session:
        await seed_scenario(session)
    admin = sqlite_bot.admin()
    admin.send_command("/export", "2025-01-01 2025-06-30 CSV")
    sent = await admin.expect("(CSV)")
    assert sent.document is not None
    assert sent.document.filename == "pes21-2025-01-01_2025-06-30.zip"
    archive = zipfile.ZipFile(io.BytesIO(sent.document.content or b""))
    assert sorted(archive.namelist()) == [
        "ateliers_et_evenements.csv",
        "bilans.csv",
        "dossiers.csv",
        "evenements.csv",
        "indicateurs.csv",
        "presences.csv",
        "satisfaction.csv",
        "temps_benevole.csv",
    ]
    text = archive.read("dossiers.csv").decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0][:2] == ["Référence", "Envoyé le"]
    assert [row[1] for row in rows[1:]] == [
        "03/02/2025 10:00",
        "10/04/2025 09:00",
        "01/06/2025 09:00",
    ]


async def test_exports_show_french_labels_never_codes(sqlite_bot: Harness) -> None:
    async with sqlite_bot.session_factory.begin() as session:
        seed = Seeder(session)
        ended = await seed.project("benefices_crea", "2025-03-03 10:00", sector="food")
        ended.status, ended.close_reason = "closed", "accompaniment_ended"
        when = "2025-09-02 10:00"
        seed.event(events.STRUCTURE_CREATED, when, ended, legal_form="scop")
        seed.event(
            events.ACCOMPANIMENT_ENDED, when, ended, outcome="jobs_created", ended_on="2025-09-01"
        )
        seed.event(
            events.JOBS_CREATED,
            when,
            ended,
            count=2,
            contract="cdd",
            time="part_time",
            origin="review",
        )
        seed.review(ended, "2025-10-01 09:00", state="done", done="2025-10-02 10:00")
    admin = sqlite_bot.admin()
    admin.send_command("/export", "2025")
    sent = await admin.expect("Données 2025 (XLSX)")
    codes = {"food", "accompaniment_ended", "jobs_created", "cdd", "part_time", "review", "done"}

    projects = sheet_rows(sent, "Dossiers")
    rows = [dict(zip(projects[0], r, strict=True)) for r in projects[1:]]
    closed = next(r for r in rows if r["Motif de clôture"])
    assert closed["Motif de clôture"] == "accompagnement terminé"
    assert closed["Secteur"] == "Agriculture, alimentation"

    events_sheet = sheet_rows(sent, "Événements")
    header = events_sheet[0]
    assert "Données" not in header and "Code de l'événement" not in header
    rows = [dict(zip(header, r, strict=True)) for r in events_sheet[1:]]
    end = next(r for r in rows if r["Événement"] == "accompagnement clos")
    assert end["Motif ou issue"] == "Emplois créés"
    assert end["Date indiquée"] == datetime(2025, 9, 1)
    jobs = next(r for r in rows if r["Contrat"] == "CDD")
    assert jobs["Temps de travail"] == "Temps partiel" and jobs["Emplois"] == 2
    assert jobs["Noté lors de"] == "Bilan post-accompagnement"

    reviews = sheet_rows(sent, "Bilans")
    assert {r[4] for r in reviews[1:]} <= {"Fait", "À faire", "Annulé"}
    figures = sheet_rows(sent, "Indicateurs")
    details = {r[2] for r in figures[1:] if r[2]}
    assert {"CDD", "Temps partiel", "SCOP", "Agriculture, alimentation"} <= details
    for sheet in ("Dossiers", "Événements", "Bilans", "Indicateurs"):
        cells = {str(c) for row in sheet_rows(sent, sheet) for c in row}
        assert not cells & codes, sheet


FORMULA_NAME = '=HYPERLINK("http://x","y")'
# What holders typed, each starting with a character a spreadsheet would read as a formula.
TYPED = {
    "name": FORMULA_NAME,
    "email": "@SUM(1+1)*cmd|' /C calc'!A0",
    "phone": "+33 6 12 34 56 78",
    "structure_name": "-2+3",
    "idea": "\tUne idée\r=1+1",
}


async def _seed_formulas(bot: Harness) -> None:
    async with bot.session_factory.begin() as session:
        seed = Seeder(session)
        holder = await seed.person("Mallory")
        await seed.project(
            "benefices_crea", "2025-03-03 10:00", holder=holder, commune="=1+1", answers=TYPED
        )


async def test_xlsx_export_stores_typed_formulas_as_plain_text(bot: Harness) -> None:
    await _seed_formulas(bot)
    admin = bot.admin()
    admin.send_command("/export", "2025")
    sent = await admin.expect("Données 2025 (XLSX)")
    assert sent.document is not None and sent.document.content is not None
    workbook = load_workbook(io.BytesIO(sent.document.content))  # not read-only: cell types
    formulas = [
        c.coordinate for s in workbook for row in s.iter_rows() for c in row if c.data_type == "f"
    ]
    assert formulas == []
    projects = sheet_rows(sent, "Dossiers")
    row = dict(zip(projects[0], projects[1], strict=True))
    assert row["Nom"] == FORMULA_NAME and row["Commune"] == "=1+1"
    assert row["E-mail"] == TYPED["email"] and row["Téléphone"] == TYPED["phone"]
    # The text is intact: openpyxl writes through lxml (brought by python-docx), which escapes
    # the carriage return (the standard library's writer let XML read it back as a line feed).
    assert row["Description"] == "\tUne idée\r=1+1"


async def test_csv_export_neutralises_typed_formulas(sqlite_bot: Harness) -> None:
    await _seed_formulas(sqlite_bot)
    admin = sqlite_bot.admin()
    admin.send_command("/export", "2025 csv")
    sent = await admin.expect("(CSV)")
    assert sent.document is not None
    archive = zipfile.ZipFile(io.BytesIO(sent.document.content or b""))
    text = archive.read("dossiers.csv").decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["Nom"] == "'" + FORMULA_NAME and row["Commune"] == "'=1+1"
    assert row["E-mail"] == "'" + TYPED["email"] and row["Téléphone"] == "'" + TYPED["phone"]
    assert row["Description"] == "'\tUne idée\r=1+1"
    for name in archive.namelist():
        for cells in csv.reader(io.StringIO(archive.read(name).decode("utf-8-sig")), delimiter=";"):
            assert not [c for c in cells if c[:1] in ("=", "+", "@", "\t", "\r")], (name, cells)


async def test_chart_is_a_png_photo_with_a_caption(sqlite_bot: Harness) -> None:
    async with sqlite_bot.session_factory.begin() as session:
        await seed_scenario(session)
    admin = sqlite_bot.admin()
    admin.send_command("/graphique", "2025")
    sent = await admin.expect("Projets accueillis par dispositif")
    assert sent.kind == "photo" and sent.photo is not None
    assert (sent.photo.content or b"").startswith(b"\x89PNG")
    assert "2025 (5 projets accueillis)" in (sent.caption or "")

    admin.send_command("/graphique", "2016-01-01 2025-12-31")  # ten years: one bar per year
    decade = await admin.expect("du 01/01/2016 au 31/12/2025")
    assert decade.photo is not None and (decade.photo.content or b"").startswith(b"\x89PNG")
