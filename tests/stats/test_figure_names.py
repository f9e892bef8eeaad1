"""One figure, one name: dossiers recorded outside the chat count their steps and delays like
the others, and a dossier whose holder erased their data leaves the waiting lists."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from pes21_bot.jobs import run_reminders
from tests.e2e.flows import submit_idea
from tests.e2e.test_recorded import record_phone_idea
from tests.harness import Harness
from tests.imports.workbooks import workbook
from tests.stats.scenario import seed_scenario
from tests.volunteers.helpers import stop_jobs, travel

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PARIS = ZoneInfo("Europe/Paris")


def lines_of(text: str | None) -> list[str]:
    """The message's lines."""
    return (text or "").split("\n")


async def test_an_imported_dossier_counts_its_start_and_consent_in_the_funnel(
    bot: Harness,
) -> None:
    await submit_idea(bot.holder())
    admin = bot.admin()
    row = ("BC-1", "Bénéfices'Créa", "02/02/2026", None, None, None, None, "téléphone")
    admin.send_document("dossier.xlsx", workbook({"Dossiers": [row]}), XLSX)
    admin.press("Importer", await admin.expect("Essai d'import"))
    await admin.expect("Import terminé")
    admin.send_command("/stats")
    lines = lines_of((await admin.expect("Statistiques 2026")).text)
    assert "Questionnaires commencés : 2" in lines
    assert "Consentements donnés : 2 (100\u00a0%)" in lines
    assert "Dossiers envoyés : 2 (100\u00a0%)" in lines


async def test_a_recorded_dossier_is_timed_from_its_recording(bot: Harness) -> None:
    camille = bot.staff("Camille")
    # First contact in January, recorded on 10 March and taken at once: in time.
    await record_phone_idea(camille, "14/01/2026")
    card = await camille.expect("PES-2026-0001")
    camille.press("✋ Je prends", message=card)
    await camille.expect("Pris en charge · PES-2026-0001")
    admin = bot.admin()
    admin.send_command("/stats")
    text = (await admin.expect("Statistiques 2026")).text or ""
    assert "Bénéfices'Créa : 1 sur 1 dossier pris en charge dans le délai annoncé" in text
    assert "délai médian moins d'une heure" in text
    # Where it came from reads as the team chose it, not as a code.
    origins = lines_of((await admin.expect("D'où viennent")).text)
    assert "• 📞 Téléphone : 0 premier contact, 1 dossier accueilli" in origins


async def test_an_erased_holders_dossier_leaves_the_waiting_list(sqlite_bot: Harness) -> None:
    bot = sqlite_bot
    stop_jobs(bot)
    holder = bot.holder()
    await submit_idea(holder)
    holder.send_command("/supprimer")
    holder.press("Oui, tout effacer", await holder.expect("Voulez-vous vraiment effacer"))
    await holder.expect("vos données personnelles sont effacées")
    assert bot.app is not None
    await run_reminders(bot.app)  # plans Monday's digest
    travel(bot, datetime(2026, 3, 16, 9, 0, tzinfo=PARIS))
    await run_reminders(bot.app)
    digest = (await bot.staff("Camille").expect("Votre semaine")).text or ""
    waiting = digest.split("En attente de prise en charge")[1].split("\n\n")[0]
    assert "PES-2026-0001" not in waiting
    # Nobody was late for it either: it was closed within the announced delay.
    admin = bot.admin()
    admin.send_command("/stats")
    text = (await admin.expect("Statistiques 2026")).text or ""
    assert "dans le délai annoncé" not in text.split("Suivi des porteur")[1].split("\n")[1]


async def test_the_report_block_and_stats_give_one_figure_one_name(sqlite_bot: Harness) -> None:
    async with sqlite_bot.session_factory.begin() as session:
        await seed_scenario(session)
    admin = sqlite_bot.admin()
    admin.send_command("/rapport", "2025")
    report = lines_of((await admin.expect("Rapport d'activité")).text)
    header = report.index("En 2025, Bénéfices'Créa, c'est :")
    assert report[header + 1].startswith("Bénéfices'Créa et accueil en amont ensemble")
    welcomed = report[header + 2]
    assert welcomed == "• 4 projets accueillis"
    admin.send_command("/stats", "2025")
    stats = lines_of((await admin.expect("Statistiques 2025")).text)
    block = stats.index(
        "Bénéfices'Créa et accueil en amont ensemble (le bloc « Bénéfices'Créa » de /rapport)"
    )
    assert stats[block + 1].startswith("Accueillis 4 · accompagnés 1")
    # Each programme keeps its own line: Bénéfices'Créa alone welcomed 3 of them.
    assert stats[stats.index("Bénéfices'Créa") + 1].startswith("Accueillis 3 ·")
