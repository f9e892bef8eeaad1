"""/stats: figures by programme, funnel, median delay, breakdowns and comparison."""

from __future__ import annotations

from datetime import date

import pytest

from pes21_bot import access
from pes21_bot.config import Config
from pes21_bot.db.session import SessionFactory
from pes21_bot.domain.figures import Funnel, ProgrammeFigures, SourceRow, Territory, Totals
from pes21_bot.domain.french_format import NBSP
from pes21_bot.domain.periods import Period, chart_buckets
from pes21_bot.domain.scope import Scope
from pes21_bot.domain.vocabulary import PROGRAMMES
from pes21_bot.services import stats
from tests.harness import START, Harness
from tests.stats.scenario import seed_scenario
from tests.stats.seed import Seeder, paris

ADMIN = Scope(PROGRAMMES, everything=True)
YEAR = Period.year_of(2025)


async def test_figures_by_programme_funnel_and_breakdowns(
    factory: SessionFactory, config: Config
) -> None:
    async with factory.begin() as session:
        await seed_scenario(session)
    async with factory() as session:
        result = await stats.compute_stats(session, config, YEAR, ADMIN, START)

    by_programme = {p.programme: p for p in result.programmes}
    assert by_programme["benefices_crea"] == ProgrammeFigures(
        "benefices_crea",
        welcomed=3,  # P1, P4, P5 (erased holder): P2 was welcomed by the accueil en amont
        oriented=4,  # routed P1, P4, P5, and P2 redirected here
        claimed=4,  # P1, P4, P5, and P2 claimed again after the redirection
        accompanied=1,
        accompanied_started=1,
        structures={"scop": 1},
        jobs={"cdi": 2},
        reviews_done=1,
        reviews_overdue=2,  # one still open, one done after the end of the year
        volunteer_hours=2.5,
        volunteer_km=30,
        median_claim_hours=24,
    )
    assert by_programme["accueil_amont"] == ProgrammeFigures(
        "accueil_amont", welcomed=1, oriented=1, claimed=1, median_claim_hours=48
    )
    assert by_programme["dla"] == ProgrammeFigures("dla", welcomed=1, oriented=1)
    assert by_programme["generateur"].is_empty and by_programme["crdva"].is_empty
    assert result.funnel == Funnel(
        started=7, consent_given=6, completed=5, claimed=4, accompaniments_started=1, created=1
    )
    assert result.median_claim_hours == pytest.approx(36)  # first claims: 12, 24, 48, 96 h
    assert result.totals == Totals(welcomed=5, claimed=4, accompanied=1, structures=1, jobs=2)
    assert result.previous == Totals(welcomed=1, claimed=1, accompanied=0, structures=1, jobs=2)
    assert (result.previous_start, result.previous_last_day) == (
        date(2024, 1, 1),
        date(2024, 12, 31),
    )
    assert not result.in_progress
    assert result.sectors[0] == (None, 2)
    assert sorted(result.sectors[1:]) == [("culture", 1), ("environment", 1), ("food", 1)]
    assert result.territory == Territory(
        communes=[("Dijon", 2), ("Beaune", 1)], other_communes=0, outside_cote_dor=1, unknown=1
    )
    assert result.sources == [
        SourceRow(None, first_contacts=2, welcomed=3),
        SourceRow("flyer", first_contacts=3, welcomed=1),
        SourceRow("salon", first_contacts=1, welcomed=1),
    ]


async def test_staff_scope_keeps_to_their_programmes(
    factory: SessionFactory, config: Config
) -> None:
    async with factory.begin() as session:
        await seed_scenario(session)
    karim = access.figures_scope(access.COMMANDS["stats"], config, 2002)
    assert karim == Scope(("dla",), everything=False)
    async with factory() as session:
        result = await stats.compute_stats(session, config, YEAR, karim, START)
    assert [p.programme for p in result.programmes] == ["dla"]
    # Before routing only the path is known: Karim sees the DLA questionnaires.
    assert result.funnel == Funnel(
        started=2, consent_given=0, completed=1, claimed=0, accompaniments_started=0, created=0
    )
    assert result.sources == [SourceRow(None, first_contacts=0, welcomed=1)]
    assert result.report.creation.welcomed == 0
    assert (
        access.figures_scope(access.COMMANDS["stats"], config, 5001) is None
    )  # a holder sees nothing


async def test_running_year_is_compared_with_the_same_dates_a_year_earlier(
    factory: SessionFactory, config: Config
) -> None:
    async with factory.begin() as session:
        await seed_scenario(session)
    now = paris("2025-04-11 12:00")  # P2 claimed on 12/04: not yet
    async with factory() as session:
        result = await stats.compute_stats(session, config, YEAR, ADMIN, now)
    assert result.in_progress
    assert (result.previous_start, result.previous_last_day) == (
        date(2024, 1, 1),
        date(2024, 4, 11),
    )
    assert result.previous.welcomed == 1 and result.previous.structures == 0
    # P1's reviews are due later in the year: nothing overdue yet.
    assert all(p.reviews_overdue == 0 for p in result.programmes)


async def test_welcomed_per_month_follow_paris_time(
    factory: SessionFactory, config: Config
) -> None:
    async with factory.begin() as session:
        seed = Seeder(session)
        await seed.project("dla", "2025-01-01 00:30", path="dla")  # 2024 in UTC
        await seed.project("dla", "2025-03-31 23:30", path="dla")  # still March in Paris
        await seed.project("crdva", "2025-12-31 23:30", path="crdva")  # 2026 in UTC
        await seed.project("crdva", "2026-01-01 00:30", path="crdva")  # not 2025
    buckets = chart_buckets(YEAR)
    async with factory() as session:
        counts = await stats.welcomed_per_bucket(session, config, buckets, ADMIN)
    assert len(counts) == 12
    assert counts[0] == {"dla": 1} and counts[2] == {"dla": 1} and counts[11] == {"crdva": 1}
    assert sum(sum(c.values()) for c in counts) == 3


def lines_of(text: str | None) -> list[str]:
    """The visible lines of a message."""
    return (text or "").split("\n")


async def test_stats_command_reads_in_french(sqlite_bot: Harness) -> None:
    async with sqlite_bot.session_factory.begin() as session:
        await seed_scenario(session)
    admin = sqlite_bot.admin()
    admin.send_command("/stats", "2025")
    figures = await admin.expect("Statistiques 2025")
    lines = lines_of(figures.text)
    assert "Tous les dispositifs." in lines
    assert (
        "Accueillis 3 · orientés 4 · pris en charge 4 (délai médian 1 jour) · accompagnés 1 "
        "(dont 1 démarré dans la période)" in lines
    )
    assert "Structures créées : 1 (SCOP : 1)" in lines
    assert "Emplois créés : 2 (CDI : 2)" in lines
    assert "Bilans faits : 1 · en retard : 2 · annulés : 0 · temps bénévole : 2,5 h, 30 km" in lines
    assert "Dossiers envoyés : 5 (71,4\u00a0%)" in lines
    assert "Délai médian entre l'envoi d'un dossier et sa prise en charge : 1,5 jour" in lines
    assert "Par rapport au 01/01/2024 – 31/12/2024" in lines
    assert f"Projets accueillis : 5 (contre 1, +400{NBSP}%)" in lines
    assert "Accompagnés : 1 (contre 0, nouveau)" in lines
    assert "Générateur BFC" not in lines  # nothing happened there

    origins = await admin.expect("D'où viennent les dossiers accueillis")
    lines = lines_of(origins.text)
    assert f"• Dijon : 2 (40{NBSP}%)" in lines
    assert f"• Hors Côte-d'Or : 1 (20{NBSP}%)" in lines
    assert f"• Environnement, réemploi : 1 (20{NBSP}%)" in lines
    assert "• flyer : 3 premiers contacts, 1 dossier accueilli" in lines
    assert "• Sans paramètre (lien direct) : 2 premiers contacts, 3 dossiers accueillis" in lines


async def test_stats_for_staff_show_their_programmes_only(sqlite_bot: Harness) -> None:
    async with sqlite_bot.session_factory.begin() as session:
        await seed_scenario(session)
    karim = sqlite_bot.staff("Karim")
    karim.send_command("/stats", "2025-01-01 2025-06-30")
    figures = await karim.expect("Statistiques du 01/01/2025 au 30/06/2025")
    assert "Vos dispositifs : DLA." in lines_of(figures.text)
    assert "Bénéfices'Créa" not in (figures.text or "")
    origins = await karim.expect("D'où viennent")
    assert "• Sans paramètre (lien direct) : 1 dossier accueilli" in lines_of(origins.text)
    assert "premiers contacts" not in (origins.text or "")


async def test_stats_without_argument_is_the_current_year(sqlite_bot: Harness) -> None:
    admin = sqlite_bot.admin()
    admin.send_command("/stats")
    figures = await admin.expect("Statistiques 2026 (en cours)")
    assert "Aucune activité enregistrée sur cette période." in lines_of(figures.text)
    assert "Par rapport au 01/01/2025 – 10/03/2025" in lines_of(figures.text)
    origins = await admin.expect("D'où viennent")
    assert "• aucun dossier accueilli" in lines_of(origins.text)
