"""/export: the events and attendance sheets, free text neutralised, names for admins only."""

from __future__ import annotations

import csv
import io
import zipfile

from pes21_bot.services import agenda
from pes21_bot.services.people import UserInfo, ensure_person
from tests.agenda.helpers import TRAINING_AT
from tests.harness import Harness
from tests.stats.test_exports import sheet_rows

FORMULA_TITLE = '=HYPERLINK("http://x","clic")'


async def seed_held_training(bot: Harness) -> None:
    """A training held on 20/03/2026 with a formula as title; Zoé registered and came."""
    now = bot.clock.now()
    async with bot.session_factory() as session, session.begin():
        new = agenda.NewEvent(
            "formation", FORMULA_TITLE, TRAINING_AT, "@Dijon", 10, agenda.EVERYONE, True, "Francas"
        )
        event = agenda.add_event(session, new, None, now)
        zoe = await ensure_person(session, UserInfo(5001, "Zoé", "Martin"), now)
        await session.flush()
        await agenda.register(session, bot.config, event, zoe.id, now)
        (registration, _), *_ = await agenda.registrants(session, event.id)
        await agenda.set_attendance(session, event.id, registration.id, True, now)
        await agenda.mark_held(session, event, 3, None, now)


async def test_xlsx_export_has_the_events_and_attendance_sheets(sbot: Harness) -> None:
    await seed_held_training(sbot)
    admin = sbot.admin()
    admin.send_command("/export", "2026")
    sent = await admin.expect("Données 2026 (XLSX)")
    events = sheet_rows(sent, "Ateliers et événements")
    seed_free = [r for r in events[1:] if r[4] == "Francas"]
    row = dict(zip(events[0], seed_free[0], strict=True))
    assert row["Titre"] == FORMULA_TITLE and row["Lieu"] == "@Dijon"  # text cells, not formulas
    assert row["Type"] == "Formation (avec un partenaire)" and row["État de l'événement"] == "Tenu"
    assert (row["Inscrit·es"], row["Inscrit·es venu·es"], row["Venu·es sans inscription"]) == (
        1,
        1,
        3,
    )
    assert row["Participant·es"] == 4
    attendance = sheet_rows(sent, "Présences")
    assert attendance[0][-1] == "Nom"
    assert attendance[1][-2:] == ["Venu·e", "Zoé Martin"]

    admin.send_command("/export", "2026 anonyme")
    anonymous = await admin.expect("Sans données personnelles")
    cells = {str(c) for row in sheet_rows(anonymous, "Présences") for c in row}
    assert "Nom" not in cells and "Zoé Martin" not in cells


async def test_csv_export_neutralises_the_event_texts(sbot: Harness) -> None:
    await seed_held_training(sbot)
    admin = sbot.admin()
    admin.send_command("/export", "2026 csv")
    sent = await admin.expect("(CSV)")
    assert sent.document is not None
    archive = zipfile.ZipFile(io.BytesIO(sent.document.content or b""))
    text = archive.read("ateliers_et_evenements.csv").decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    row = next(dict(zip(rows[0], r, strict=True)) for r in rows[1:] if r[4] == "Francas")
    assert row["Titre"] == "'" + FORMULA_TITLE and row["Lieu"] == "'@Dijon"
