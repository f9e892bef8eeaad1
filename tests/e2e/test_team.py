"""The team by chat: staff invited with a code, /equipe to change programmes, coordinate, remove."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from pes21_bot.config import Config
from pes21_bot.db.models import Person, Project, Review, TeamMember
from pes21_bot.domain.vocabulary import Programme
from pes21_bot.fake_telegram import FakeUser
from pes21_bot.jobs import run_reminders
from pes21_bot.runner import team_report
from pes21_bot.services import team
from tests.e2e.flows import submit_idea
from tests.harness import OTHER_HOLDER_ID, Harness
from tests.volunteers.helpers import (
    CAMILLE,
    KARIM,
    end_by_service,
    seed_project,
    stop_jobs,
    team_row,
    travel,
)

NORA = 8001


async def _invite_staff(bot: Harness, programmes: str) -> str:
    admin = bot.admin()
    admin.send_command("/invitation", f"salarie {programmes}")
    shown = await admin.expect("code d'invitation")
    match = re.search(r"\b([A-Z0-9]{5}-[A-Z0-9]{5})\b", shown.text or "")
    assert match is not None, shown.text
    return match.group(1)


async def _join(bot: Harness, programmes: str = "le DLA et Bénéfices'Créa") -> FakeUser:
    code = await _invite_staff(bot, programmes)
    nora = bot.api.user(NORA, first_name="Nora", last_name="Benali")
    nora.send_command("/rejoindre", code)
    await nora.expect("Bienvenue dans l'équipe du Pôle, Nora")
    return nora


async def _panel(bot: Harness, name: str) -> None:
    admin = bot.admin()
    admin.send_command("/equipe")
    await admin.expect("L'équipe du Pôle")
    admin.press(f"✏️ {name}")
    await admin.expect("Dispositifs :")


async def _person_id(bot: Harness, telegram_id: int) -> int:
    async with bot.session_factory() as session:
        found = await session.execute(select(Person.id).where(Person.telegram_id == telegram_id))
        return int(found.scalar_one())


async def test_an_invited_staff_member_joins_and_receives_the_next_card(bot: Harness) -> None:
    nora = await _join(bot)  # the programmes typed as people see them, not as codes
    told = await bot.admin().expect("a rejoint l'équipe")
    assert "Nora Benali" in (told.text or "")
    assert "(le DLA, Bénéfices'Créa)" in (told.text or "")
    nora.send_command("/aide")
    assert "/dossiers" in ((await nora.expect("/aide")).text or "")

    holder = bot.holder()
    await submit_idea(holder)
    card = await nora.expect("PES-2026-0001")
    nora.press("✋ Je prends", message=card)
    await holder.expect("pris en charge par Nora Benali")

    # A code works once; and the team survives a restart (config.yaml merged with the database).
    other = bot.api.user(8002, first_name="Ugo")
    other.send_command("/rejoindre", "ABCDE-FGH23")
    await other.expect("n'est pas valable")
    await bot.restart()
    second = bot.holder(OTHER_HOLDER_ID, first_name="Yann")
    await submit_idea(second)
    await nora.expect("PES-2026-0002")


async def test_equipe_changes_programmes_and_coordination(sqlite_bot: Harness) -> None:
    bot = sqlite_bot
    nora = await _join(bot)
    admin = bot.admin()
    admin.send_command("/equipe")
    listing = await admin.expect("L'équipe du Pôle")
    text = listing.text or ""
    for expected in ("Direction", "Camille", "Karim", "Léa", "Nora Benali", "coordonne"):
        assert expected in text, text

    await _panel(bot, "Nora Benali")
    admin.press("📂 Dispositifs")
    await admin.expect("touchez pour changer")
    admin.press("✅ Bénéfices'Créa")
    shown = await admin.expect("touchez pour changer")
    assert "➕ Bénéfices'Créa" in str(shown.reply_markup)
    admin.press("✅ le DLA")  # the last one stays: removing someone is another button
    assert "au moins un dispositif" in await bot.button_answer(admin.press("✅ le DLA"))

    holder = bot.holder()
    await submit_idea(holder)
    await bot.staff("Camille").expect("PES-2026-0001")
    await bot.settle()
    assert not [m for m in nora.unread() if "PES-2026-0001" in (m.text or "")]

    admin.press("⬅️ Retour")
    await admin.expect("Dispositifs :")
    admin.press("⭐ Coordination")
    await admin.expect("prend-elle ou prend-il la coordination")
    admin.press("⭐ le DLA")
    await nora.expect("Vous coordonnez maintenant le DLA")
    panel = await admin.expect("Coordination : le DLA")
    assert "Nora" in (panel.text or "")
    assert bot.app is not None
    assert bot.app.bot_data.config.programmes[Programme("dla")].coordinator == NORA


async def test_removing_someone_hands_dossiers_and_reviews_to_the_coordinator(
    sqlite_bot: Harness,
) -> None:
    bot = sqlite_bot
    nora = await _join(bot, "benefices_crea")  # the code still works
    admin = bot.admin()
    await _panel(bot, "Nora Benali")
    admin.press("⭐ Coordination")
    admin.press("⭐ Bénéfices'Créa", message=await admin.expect("la coordination"))
    await nora.expect("Vous coordonnez maintenant Bénéfices'Créa")

    holder = bot.holder()
    await submit_idea(holder)
    camille = bot.staff("Camille")
    camille.press("✋ Je prends", message=await camille.expect("PES-2026-0001"))
    await holder.expect("pris en charge par Camille")
    (project,) = await bot.projects()
    scheduled = await end_by_service(bot, project, bot.clock.now().date())
    assert scheduled

    await _panel(bot, "Camille")
    admin.press("🚪 Retirer de l'équipe")
    await admin.expect("Retirer Camille de l'équipe ?")
    admin.press("Oui, retirer")
    done = await admin.expect("ne fait plus partie de l'équipe")
    assert "1 dossier confié" in (done.text or "")
    handed = await nora.expect("ces dossiers vous sont confiés")
    assert "PES-2026-0001" in (handed.text or "")
    await camille.expect("Vous ne faites plus partie de l'équipe")

    nora_id = await _person_id(bot, NORA)
    async with bot.session_factory() as session:
        fresh = await session.get(Project, project.id)
        assert fresh is not None and fresh.owner_id == nora_id
        result = await session.execute(select(Review).where(Review.project_id == project.id))
        assert {r.assignee_id for r in result.scalars()} == {nora_id}
    camille.send_command("/dossiers")
    await camille.expect("Vous ne faites plus partie de l'équipe du Pôle")
    nora.send_command("/dossier", "PES-2026-0001")
    await nora.expect("PES-2026-0001")


async def test_team_refusals_and_forged_buttons(sqlite_bot: Harness) -> None:
    bot = sqlite_bot
    holder = bot.holder()
    holder.send_command("/equipe")
    await holder.expect("réservée à l'équipe")
    camille = bot.staff("Camille")
    camille.send_command("/equipe")
    await camille.expect("réservée à l'équipe")
    camille.send_command("/invitation", "salarie dla")
    await camille.expect("réservée à l'équipe")
    assert "réservée" in await bot.button_answer(camille.press_raw(f"tm:{KARIM}:rmyes"))

    admin = bot.admin()
    admin.send_command("/invitation", "salarie lune")
    await admin.expect("/invitation salarie DLA Bénéfices'Créa")
    for forged in (f"tmp:{KARIM}:on:lune", "tm:abc:show", f"tm:{KARIM}:boom", "tm:"):
        assert "plus valable" in await bot.button_answer(admin.press_raw(forged))
    assert "ne fait plus partie" in await bot.button_answer(admin.press_raw("tm:999999:rmyes"))
    assert bot.app is not None
    config = bot.app.bot_data.config
    assert config.staff_member(KARIM) is not None and config.staff_member(CAMILLE) is not None
    async with bot.session_factory() as session:
        assert (await session.execute(select(TeamMember))).scalars().all() == []


def test_config_and_chat_are_merged_and_conflicts_reported(config: Config) -> None:
    now = datetime(2026, 3, 10, tzinfo=UTC)
    rows = [
        team_row(KARIM, "Karim", ["dla", "crdva"], now),
        team_row(CAMILLE, "Camille", ["benefices_crea"], now, removed=True),
        team_row(NORA, "Nora", ["benefices_crea"], now, coordinates=["benefices_crea"]),
    ]
    merged = team.merge(config, rows)
    assert merged.staff_member(CAMILLE) is None
    assert [m.name for m in merged.staff_for("crdva")] == ["Léa", "Karim"]
    assert merged.programmes[Programme("benefices_crea")].coordinator == NORA
    assert merged.programmes[Programme("accueil_amont")].coordinator is None  # was Camille, removed
    found = team.conflicts(config, rows)
    assert any("2002" in line and "dispositifs" in line for line in found)
    assert any("2001" in line and "retiré" in line for line in found)
    assert any("benefices_crea.coordinator" in line for line in found)
    assert team.conflicts(config, []) == []
    # Léa's row says she coordinates only the CRDVA now: config.yaml also named her for the
    # Générateur, which has no coordinator any more.
    lea = team_row(2003, "Léa", ["generateur", "crdva"], now, coordinates=["crdva"])
    changed = team.merge(config, [lea])
    assert changed.programmes[Programme("crdva")].coordinator == 2003
    assert changed.programmes[Programme("generateur")].coordinator is None


async def test_check_reports_a_conflict_read_from_the_database(
    sqlite_bot: Harness,
) -> None:
    bot = sqlite_bot
    await _panel(bot, "Karim")
    admin = bot.admin()
    admin.press("📂 Dispositifs")
    await admin.expect("touchez pour changer")
    admin.press("➕ le CRDVA")
    await admin.expect("touchez pour changer")
    lines = await team_report(bot.config, bot.db_url)
    assert any(line.startswith("Conflit") and "2002 (Karim)" in line for line in lines), lines


async def test_a_coordinator_named_by_chat_gets_the_escalations(sqlite_bot: Harness) -> None:
    bot = sqlite_bot
    stop_jobs(bot)
    nora = await _join(bot, "dla")
    admin = bot.admin()
    await _panel(bot, "Nora Benali")
    admin.press("⭐ Coordination")
    admin.press("⭐ le DLA", message=await admin.expect("la coordination"))
    await nora.expect("Vous coordonnez maintenant le DLA")
    await seed_project(bot, path="dla", owner_id=None)  # routed, no card: nobody claims it
    assert bot.app is not None
    travel(bot, bot.clock.now() + timedelta(days=7))  # well past 2 + 2 working days
    await run_reminders(bot.app)
    escalation = await nora.expect("À attribuer")
    assert "le DLA" in (escalation.text or "")
    await bot.settle()
    assert not [m for m in bot.staff("Karim").unread() if "À attribuer" in (m.text or "")]
