"""/import refuses what it cannot take, in French, and changes nothing; twice imports once."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import func, select

from pes21_bot.db.models import AgendaEvent, Event, ImportedRow
from pes21_bot.handlers import imports as import_handlers
from pes21_bot.services import events
from pes21_bot.services import imports as import_service
from tests.harness import Harness
from tests.imports.workbooks import HEADERS, csv_file, workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _dossiers(count: int, prefix: str = "K") -> list[tuple[Any, ...]]:
    return [
        (f"{prefix}-{i}", "Bénéfices'Créa", date(2023, 3, 1 + i % 28), None, None, None, None, None)
        for i in range(1, count + 1)
    ]


async def _imported_rows(bot: Harness) -> int:
    async with bot.session_factory() as session:
        return int(
            (await session.execute(select(func.count()).select_from(ImportedRow))).scalar_one()
        )


async def test_wrong_cells_are_listed_by_sheet_line_and_column_and_nothing_is_written(
    sqlite_bot: Harness,
) -> None:
    bot = sqlite_bot
    rows: dict[str, list[tuple[Any, ...]]] = {
        "Dossiers": [
            ("A-1", "Bénéfices'Créa", "bientôt", None, None, None, None, None),
            ("A-2", "Pôle emploi", date(2023, 1, 5), None, None, None, None, None),
            ("A-3", "DLA", date(2023, 1, 5), None, None, None, None, None),
            ("A-3", "DLA", date(2023, 2, 5), None, None, None, None, None),
            (None, "DLA", date(2031, 2, 5), None, None, None, None, None),
        ],
        "Accompagnements": [
            ("A-3", date(2023, 5, 1), date(2023, 4, 1), None, None, None, None, None, None),
            ("A-3", date(2023, 6, 1), None, None, None, None, None, -2, None),
            ("NULLE-PART", date(2023, 6, 1), None, None, None, None, None, None, None),
        ],
        "Jalons DLA": [("A-3", "Diagnostic partagé", date(2023, 3, 3), "=2*6", None)],
    }
    admin = bot.admin()
    admin.send_document("import.xlsx", workbook(rows), XLSX)
    message = await admin.expect("Essai d'import")
    lines = (message.text or "").split("\n")
    assert "❌ 9 erreurs : corrigez le fichier puis renvoyez-le. Rien n'a été importé." in lines
    expected = [
        "• Dossiers, ligne 2, colonne « Date du premier contact » : ce n'est pas une date "
        "(écrivez-la JJ/MM/AAAA) (« bientôt »)",
        "• Dossiers, ligne 3, colonne « Dispositif » : cette valeur n'est pas dans la liste "
        "(voir la feuille Notes) (« Pôle emploi »)",
        "• Dossiers, ligne 5, colonne « Clé » : cette ligne reprend celle de la ligne "
        "indiquée (« 4 »)",
        "• Dossiers, ligne 6, colonne « Clé » : cette case est obligatoire",
        "• Dossiers, ligne 6, colonne « Date du premier contact » : cette date est impossible "
        "(avant 2000 ou dans le futur) (« 05/02/2031 »)",
        "• Accompagnements, ligne 2, colonne « Fin » : la fin est avant le début",
        "• Accompagnements, ligne 3, colonne « Emplois créés » : ce nombre ne peut pas être "
        "négatif (« -2 »)",
        "• Accompagnements, ligne 4, colonne « Clé du dossier » : aucun dossier n'a cette clé "
        "(ni dans le fichier, ni dans le bot) (« NULLE-PART »)",
        "• Jalons DLA, ligne 2, colonne « Emplois consolidés » : cette case contient une formule : "
        "remplacez-la par sa valeur (copier, puis collage spécial « valeurs ») (« =2*6 »)",
    ]
    for line in expected:
        assert line in lines, line
    assert message.reply_markup is None  # no "Importer" while something is wrong
    assert await bot.projects() == []
    assert await _imported_rows(bot) == 0


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n\x00\x01", "ni l'un ni l'autre"),
        (b"PK\x03\x04 pas un vrai zip", "ni l'un ni l'autre"),
        (b"", "Ce fichier est vide"),
        (b"une ligne de texte sans titres de colonnes\n", "aucune feuille du modèle"),
    ],
)
async def test_a_file_that_is_no_spreadsheet_is_refused(
    sqlite_bot: Harness, data: bytes, words: str
) -> None:
    admin = sqlite_bot.admin()
    admin.send_document("donnees.xlsx", data, XLSX)
    await admin.expect(words)
    assert await sqlite_bot.projects() == []


def _broken_workbook() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook><sheets><sheet")
    return buffer.getvalue()


async def test_a_damaged_workbook_a_foreign_one_and_missing_columns_are_explained(
    sqlite_bot: Harness,
) -> None:
    admin = sqlite_bot.admin()
    admin.send_document("abime.xlsx", _broken_workbook(), XLSX)
    await admin.expect("Je n'arrive pas à lire ce fichier")
    admin.send_document("autre.xlsx", workbook({"Feuil1": [("a", "b")]}, {"Feuil1": ["x"]}), XLSX)
    message = await admin.expect("aucune feuille du modèle")
    assert "« Dossiers », « Accompagnements », « Jalons DLA »" in (message.text or "")
    short = {"Dossiers": ["Clé", "Date du premier contact"]}
    admin.send_document(
        "court.xlsx", workbook({"Dossiers": [("A", date(2023, 1, 1))]}, short), XLSX
    )
    message = await admin.expect("Il manque des colonnes obligatoires")
    assert "Dossiers : « Dispositif »" in (message.text or "")
    assert await sqlite_bot.projects() == []


async def test_a_file_over_the_limit_is_refused_before_it_is_downloaded(
    sqlite_bot: Harness,
) -> None:
    admin = sqlite_bot.admin()
    admin.send_document("enorme.csv", b"a" * (10 * 1024 * 1024 + 1), "text/csv")
    await admin.expect("trop gros : 10 Mo au plus")
    assert await sqlite_bot.projects() == []


async def test_importing_the_same_file_twice_creates_nothing_twice(sqlite_bot: Harness) -> None:
    bot = sqlite_bot
    admin = bot.admin()
    rows = {
        "Dossiers": _dossiers(3),
        "Ateliers et formations": [
            ("EV-1", "Club des entrepreneurs", "Rencontre", date(2023, 4, 4), None, None, 12, None)
        ],
    }
    admin.send_document("import.xlsx", workbook(rows), XLSX)
    admin.press("Importer", await admin.expect("Importer 4 lignes ?"))
    await admin.expect("Import terminé : 4 lignes créées")
    completed = await bot.count_events(events.INTAKE_COMPLETED)
    assert completed == 3

    admin.send_document("import.xlsx", workbook(rows), XLSX)
    again = await admin.expect("Essai d'import")
    assert "• Dossiers : 0 ligne à créer, 3 déjà importées (ignorées)" in (again.text or "")
    assert "il n'y a rien à créer" in (again.text or "") and again.reply_markup is None

    # One more row: only it is created.
    rows["Dossiers"] = _dossiers(4)
    admin.send_document("import.xlsx", workbook(rows), XLSX)
    admin.press("Importer", await admin.expect("Importer 1 ligne ?"))
    await admin.expect("Import terminé : 1 ligne créée")
    assert await bot.count_events(events.INTAKE_COMPLETED) == 4
    async with bot.session_factory() as session:
        imported = select(func.count()).where(AgendaEvent.external_key.startswith("import:"))
        held = (await session.execute(imported)).scalar_one()
    assert held == 1
    references = [p.reference for p in await bot.projects()]
    assert references == ["PES-2023-0001", "PES-2023-0002", "PES-2023-0003", "PES-2023-0004"]


async def test_a_second_dry_run_replaces_the_first_and_cancel_writes_nothing(
    sqlite_bot: Harness,
) -> None:
    admin = sqlite_bot.admin()
    admin.send_document("a.xlsx", workbook({"Dossiers": _dossiers(2)}), XLSX)
    first = await admin.expect("Importer 2 lignes ?")
    admin.send_document("b.xlsx", workbook({"Dossiers": _dossiers(3)}), XLSX)
    second = await admin.expect("Importer 3 lignes ?")
    admin.press("Importer", first)
    await admin.expect("n'est plus valable")
    admin.press("Annuler", second)
    cancelled = await admin.expect("Import annulé : rien n'a été enregistré.")
    assert cancelled.reply_markup is None
    assert await sqlite_bot.projects() == []


async def test_an_import_of_dossiers_by_csv_with_its_progress(
    sqlite_bot: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(import_service, "BATCH_ROWS", 10)
    monkeypatch.setattr(import_handlers, "PROGRESS_EVERY", 10)
    admin = sqlite_bot.admin()
    rows = [(k, p, d.strftime("%d/%m/%Y"), *rest) for k, p, d, *rest in _dossiers(25)]
    admin.send_document("dossiers.csv", csv_file("Dossiers", rows), "text/csv")
    admin.press("Importer", await admin.expect("Importer 25 lignes ?"))
    for done in (10, 20, 25):
        await admin.expect(f"Import en cours : {done} / 25 lignes")
    await admin.expect("Import terminé : 25 lignes créées")
    assert len(await sqlite_bot.projects()) == 25


async def test_a_csv_file_from_excel_in_windows_encoding_is_read(sqlite_bot: Harness) -> None:
    admin = sqlite_bot.admin()
    header = ";".join(HEADERS["Ateliers et formations"])
    text = f"{header}\r\nEV-9;Atelier Émergence;Idée;12/05/2023;;Oui;7;Dijon\r\n"
    admin.send_document("ateliers.csv", text.encode("cp1252"), "text/csv")
    admin.press("Importer", await admin.expect("Importer 1 ligne ?"))
    await admin.expect("Import terminé")
    async with sqlite_bot.session_factory() as session:
        imported = select(AgendaEvent).where(AgendaEvent.external_key.startswith("import:"))
        event = (await session.execute(imported)).scalar_one()
        held = await session.execute(select(Event).where(Event.kind == events.AGENDA_HELD))
    assert (event.kind, event.title, event.walk_ins, event.state) == (
        "emergence",
        "Idée",
        7,
        "held",
    )
    assert held.scalar_one().occurred_at.year == 2023


async def test_only_admins_may_import(sqlite_bot: Harness) -> None:
    camille = sqlite_bot.staff("Camille")
    camille.send_command("/import")
    await camille.expect("réservé")
    # A file from someone else is no import: it goes where it went before.
    holder = sqlite_bot.holder()
    holder.send_document("dossier.xlsx", workbook({"Dossiers": _dossiers(1)}), XLSX)
    await sqlite_bot.settle()
    assert all("Essai d'import" not in m.content for m in holder.unread())
    assert await sqlite_bot.projects() == []


async def test_a_file_telegram_fails_to_hand_over_is_asked_again(sqlite_bot: Harness) -> None:
    sqlite_bot.api.inject_fault("getFile", "500")
    admin = sqlite_bot.admin()
    admin.send_document("import.xlsx", workbook({"Dossiers": _dossiers(1)}), XLSX)
    await admin.expect("Je n'ai pas pu récupérer ce fichier")
    # Sent again, it is read.
    admin.send_document("import.xlsx", workbook({"Dossiers": _dossiers(1)}), XLSX)
    await admin.expect("Importer 1 ligne ?")


async def test_a_later_file_adds_steps_to_dossiers_already_in_the_bot(sqlite_bot: Harness) -> None:
    admin = sqlite_bot.admin()
    admin.send_document("dossiers.xlsx", workbook({"Dossiers": _dossiers(2)}), XLSX)
    admin.press("Importer", await admin.expect("Importer 2 lignes ?"))
    await admin.expect("Import terminé")
    # One step names the dossier by the file's key, the other by the bot's reference.
    steps = [
        (
            "K-1",
            date(2023, 5, 1),
            date(2023, 9, 1),
            "Structure créée",
            "SCOP",
            "Coop",
            None,
            2,
            None,
        ),
        ("PES-2023-0002", date(2023, 6, 1), None, None, None, None, None, None, None),
    ]
    admin.send_document("suite.xlsx", workbook({"Accompagnements": steps}), XLSX)
    admin.press("Importer", await admin.expect("Importer 2 lignes ?"))
    await admin.expect("Import terminé : 2 lignes créées")
    assert await sqlite_bot.count_events(events.ACCOMPANIMENT_STARTED) == 2
    async with sqlite_bot.session_factory() as session:
        structure = (
            await session.execute(select(Event).where(Event.kind == events.STRUCTURE_CREATED))
        ).scalar_one()
        jobs = (
            await session.execute(select(Event).where(Event.kind == events.JOBS_CREATED))
        ).scalar_one()
    # No creation date: the structure counts at the end of the accompaniment, at noon in Paris.
    assert structure.occurred_at == datetime(2023, 9, 1, 10, 0, tzinfo=UTC)
    assert structure.data["legal_form"] == "scop"
    assert (jobs.data["count"], jobs.data["contract"]) == (2, "other")


async def test_an_import_stopped_halfway_is_finished_by_sending_the_file_again(
    sqlite_bot: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(import_service, "BATCH_ROWS", 10)
    original = import_service.Writer.dossiers
    calls = 0

    async def failing_second_batch(self: Any, session: Any, rows: Any) -> None:
        nonlocal calls
        calls += 1
        if calls == 2:
            raise OSError("disk full")
        await original(self, session, rows)

    monkeypatch.setattr(import_service.Writer, "dossiers", failing_second_batch)
    admin = sqlite_bot.admin()
    data = workbook({"Dossiers": _dossiers(25)})
    admin.send_document("dossiers.xlsx", data, XLSX)
    admin.press("Importer", await admin.expect("Importer 25 lignes ?"))
    await admin.expect("L'import s'est arrêté en route : 10 lignes créées")
    assert len(await sqlite_bot.projects()) == 10  # the failed batch left nothing behind

    admin.send_document("dossiers.xlsx", data, XLSX)
    again = await admin.expect("Importer 15 lignes ?")
    assert "10 déjà importées" in (again.text or "")
    admin.press("Importer", again)
    await admin.expect("Import terminé : 15 lignes créées")
    assert len(await sqlite_bot.projects()) == 25
