"""/import's bounds (config.yaml, imports), UTF-16 CSV files, and stopping a running import:
what is refused names the limit, and a stopped import is finished by sending the file again."""

from __future__ import annotations

import asyncio
import io
import re
import zipfile
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from sqlalchemy import func, select

from pes21_bot.config import Imports
from pes21_bot.db.models import ImportedRow
from pes21_bot.runner import CONTENT_DIR, ROOT, load_all
from pes21_bot.services import imports as import_service
from pes21_bot.services.imports import ImportLabels, Limits
from tests.harness import Harness
from tests.imports.workbooks import HEADERS, workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _dossiers(count: int) -> list[tuple[Any, ...]]:
    return [
        (f"K-{i}", "Bénéfices'Créa", date(2023, 3, 1 + i % 28), None, None, None, None, None)
        for i in range(1, count + 1)
    ]


def _labels() -> ImportLabels:
    config, content = load_all(ROOT / "config.yaml", CONTENT_DIR)
    return import_service.labels_of(content, config)


async def _imported_rows(bot: Harness) -> int:
    async with bot.session_factory() as session:
        count = select(func.count()).select_from(ImportedRow)
        return int((await session.execute(count)).scalar_one())


async def _with_limits(bot: Harness, **limits: int) -> None:
    bot.config = bot.config.model_copy(update={"imports": Imports(**limits)})
    await bot.restart()


async def test_a_file_with_too_many_rows_is_refused_naming_the_limit(sqlite_bot: Harness) -> None:
    """Six rows with a five-row bound: refused, nothing written; a sheet whose declared size is
    beyond the bound is refused at once, the same way."""
    bot = sqlite_bot
    await _with_limits(bot, max_rows=5)
    admin = bot.admin()
    admin.send_document("dossiers.xlsx", workbook({"Dossiers": _dossiers(6)}), XLSX)
    refusal = await admin.expect("Ce fichier a plus de 5 lignes")
    assert "Rien n'a été importé" in (refusal.text or "")
    admin.send_document("dossiers.xlsx", workbook({"Dossiers": _dossiers(5)}), XLSX)
    await admin.expect("Importer 5 lignes ?")
    assert await _imported_rows(bot) == 0


def _with_part(data: bytes, name: str, size: int) -> bytes:
    """The workbook with a part grown by `size` bytes that compress to almost nothing."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            body = source.read(entry)
            if entry.filename == name:
                body = body.replace(b"</worksheet>", b" " * size + b"</worksheet>")
            target.writestr(entry.filename, body)
        if name not in source.namelist():  # a shared-strings table of one long text
            text = b"a" * size
            target.writestr(name, b"<sst><si><t>" + text + b"</t></si></sst>")
    return buffer.getvalue()


async def test_a_workbook_that_unpacks_beyond_its_bounds_is_refused_at_once(
    sqlite_bot: Harness,
) -> None:
    """A shared-strings table or a sheet that unpacks beyond config.yaml's bound: refused with
    the bound, before anything is unpacked."""
    bot = sqlite_bot
    await _with_limits(bot, max_table_mb=1, max_sheet_mb=2)
    admin = bot.admin()
    plain = workbook({"Dossiers": _dossiers(2)})
    strings = _with_part(plain, "xl/sharedStrings.xml", 2 * 1024 * 1024)
    assert len(strings) < 50 * 1024
    admin.send_document("bombe.xlsx", strings, XLSX)
    await admin.expect("dépassent 1 Mo une fois décompressés : c'est la limite de l'import")
    sheet = _with_part(plain, "xl/worksheets/sheet1.xml", 3 * 1024 * 1024)
    admin.send_document("longue.xlsx", sheet, XLSX)
    await admin.expect("Une feuille de ce classeur dépasse 2 Mo une fois décompressée")
    assert await _imported_rows(bot) == 0


async def test_a_csv_file_saved_as_unicode_text_by_excel_is_imported(sqlite_bot: Harness) -> None:
    """Excel's "Texte Unicode": UTF-16 with a byte order mark, tab-separated."""
    admin = sqlite_bot.admin()
    lines = ["\t".join(HEADERS["Dossiers"])]
    lines += ["Z-1\tBénéfices'Créa\t02/03/2023\tLa Fabrique\tDijon\t21000\t\t"]
    lines += ["Z-2\tDLA\t03/03/2023\tCafé Zoé\tBeaune\t21200\t\t"]
    data = "\r\n".join(lines).encode("utf-16")
    admin.send_document("dossiers.txt", data, "text/plain")
    admin.press("Importer", await admin.expect("Importer 2 lignes ?"))
    await admin.expect("Import terminé : 2 lignes créées")
    assert len(await sqlite_bot.projects()) == 2


def _paused_after(
    monkeypatch: pytest.MonkeyPatch, batches: int
) -> tuple[asyncio.Event, asyncio.Event]:
    """Writing pauses in its `batches`-th batch (the first event says so) until the second
    event is set."""
    monkeypatch.setattr(import_service, "BATCH_ROWS", 10)
    original = import_service.Writer.dossiers
    reached, gate = asyncio.Event(), asyncio.Event()
    calls = 0

    async def dossiers(self: Any, session: Any, rows: Any) -> None:
        nonlocal calls
        calls += 1
        await original(self, session, rows)
        if calls == batches:
            reached.set()
            await gate.wait()

    monkeypatch.setattr(import_service.Writer, "dossiers", dossiers)
    return reached, gate


async def test_a_running_import_stops_with_its_button_and_resumes_with_the_file(
    bot: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ "Arrêter l'import" stops it after the batch being written; sending the file again
    creates only the rest."""
    reached, gate = _paused_after(monkeypatch, 1)
    admin = bot.admin()
    data = workbook({"Dossiers": _dossiers(50)})
    admin.send_document("dossiers.xlsx", data, XLSX)
    admin.press("Importer", await admin.expect("Importer 50 lignes ?"))
    progress = await admin.expect("Import en cours : 0 / 50 lignes")
    await reached.wait()  # the first batch is being written: the stop comes after it
    press = admin.press("Arrêter l'import", progress)
    assert await bot.button_answer(press) == (
        "Arrêt demandé : l'import s'arrête après le lot en cours."
    )
    gate.set()
    await admin.expect("Import arrêté : 10 lignes créées. Pour reprendre, renvoyez le même fichier")
    assert len(await bot.projects()) == 10 and await _imported_rows(bot) == 10

    gate.clear()
    admin.send_document("dossiers.xlsx", data, XLSX)
    again = await admin.expect("Importer 40 lignes ?")
    assert "10 déjà importées" in (again.text or "")
    admin.press("Importer", again)
    gate.set()
    await admin.expect("Import terminé : 40 lignes créées")
    assert len(await bot.projects()) == 50


async def test_the_bot_stopping_mid_import_leaves_whole_batches_and_says_so(
    sqlite_bot: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SIGTERM (the application stopping) during an import: it ends after the batch being
    written, tells the admin, and the file sent again after the restart finishes the job."""
    bot = sqlite_bot
    reached, gate = _paused_after(monkeypatch, 3)
    admin = bot.admin()
    data = workbook({"Dossiers": _dossiers(45)})
    admin.send_document("dossiers.xlsx", data, XLSX)
    admin.press("Importer", await admin.expect("Importer 45 lignes ?"))
    await reached.wait()  # the third batch is being written
    assert bot.app is not None
    app = bot.app
    stopping = asyncio.create_task(bot.stop())
    while app.running:  # noqa: ASYNC110 - polling a condition, not waiting for time
        await asyncio.sleep(0)
    gate.set()
    await stopping
    await admin.expect("L'import a été interrompu par l'arrêt du bot : 30 lignes créées")
    assert await _imported_rows(bot) == 30

    await bot.start()
    gate.clear()
    admin.send_document("dossiers.xlsx", data, XLSX)
    admin.press("Importer", await admin.expect("Importer 15 lignes ?"))
    gate.set()
    await admin.expect("Import terminé : 15 lignes créées")
    assert len(await bot.projects()) == 45


def test_opening_a_workbook_reads_no_further_than_the_start_of_its_rows(tmp_path: Path) -> None:
    """A sheet without <dimension> is not parsed whole when the workbook opens (openpyxl did,
    keeping every row in memory): its rows are read later, one at a time, and counted."""
    plain = workbook({"Dossiers": _dossiers(2)})
    source = zipfile.ZipFile(io.BytesIO(plain))
    sheet = source.read("xl/worksheets/sheet1.xml")
    start = sheet.index(b"<sheetData>") + len(b"<sheetData>")
    without_size = re.sub(rb"<dimension[^>]*/>", b"", sheet[:start]) + b"<row><c><oops"
    path = tmp_path / "sans-dimension.xlsx"
    with zipfile.ZipFile(path, "w") as target:
        for entry in source.infolist():
            body = source.read(entry)
            if entry.filename == "xl/worksheets/sheet1.xml":
                body = without_size
            target.writestr(entry.filename, body)
    opened = openpyxl.load_workbook(path, read_only=True)  # the broken rows are not read yet
    assert opened.worksheets[0].max_row is None
    opened.close()
    with pytest.raises(import_service.FileUnreadable):
        list(import_service.file_rows(path, "xlsx", _labels(), date(2026, 1, 1), Limits()))
