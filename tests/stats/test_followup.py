"""Follow-up figures: claims within the announced delay (working days, the latest announcement),
the median delay to the first answer sent through the bot, the satisfaction survey; shown by
/stats and /rapport, exported in their own sheet (comments for admins only)."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from pes21_bot.config import Config
from pes21_bot.db.session import SessionFactory
from pes21_bot.domain.followup import DelayFigures, SurveyFigures
from pes21_bot.domain.periods import Period
from pes21_bot.domain.scope import Scope
from pes21_bot.domain.vocabulary import PROGRAMMES
from pes21_bot.services import events, stats
from tests.harness import Harness
from tests.stats.seed import Seeder, paris
from tests.stats.test_exports import sheet_rows

ADMIN = Scope(PROGRAMMES, everything=True)
YEAR = Period.year_of(2025)
NOW = paris("2026-01-02 12:00")


async def seed_followup(session: AsyncSession) -> None:
    """Dossiers of 2025 claimed in time or late, answered through the bot, surveyed."""
    seed = Seeder(session)
    holder = await seed.person("Zoé")
    # Monday 3 March: announced "sous 5 jours ouvrés", so by Monday 10 March 10:00.
    p1 = await seed.project("benefices_crea", "2025-03-03 10:00", holder=holder)
    seed.event(events.CLAIMED, "2025-03-07 10:00", p1)
    seed.event(events.RELAY_TO_HOLDER, "2025-03-07 22:00", p1)  # first answer: 108 h
    seed.event(events.RELAY_TO_HOLDER, "2025-03-08 10:00", p1)
    p2 = await seed.project("benefices_crea", "2025-03-03 10:00")
    seed.event(events.CLAIMED, "2025-03-11 10:00", p2)  # a day late
    seed.event(events.RELAY_TO_HOLDER, "2025-03-04 10:00", p2)  # 24 h
    await seed.project("benefices_crea", "2025-03-03 10:00")  # never claimed: late
    # Routed on 30 December: due on 7 January (1 January is a holiday), not known yet.
    await seed.project("benefices_crea", "2025-12-30 10:00")
    # Accueil en amont (10 days), redirected on Thursday 10 April: 5 days from there.
    p5 = await seed.project("accueil_amont", "2025-04-01 10:00")
    seed.event(events.REDIRECTED, "2025-04-10 10:00", p5, "benefices_crea", previous="x")
    seed.event(events.CLAIMED, "2025-04-16 10:00", p5, "benefices_crea")
    p5.programme = "benefices_crea"
    # DLA, Friday 2 May: 8 May is a holiday, so due on Monday 12 May 10:00.
    p6 = await seed.project("dla", "2025-05-02 10:00")
    seed.event(events.CLAIMED, "2025-05-12 09:00", p6)
    seed.event(events.RELAY_TO_HOLDER, "2025-05-02 16:00", p6)  # 6 h
    # Answered first in 2024: not a first answer of 2025.
    old = await seed.project("dla", "2024-11-04 10:00")
    seed.event(events.RELAY_TO_HOLDER, "2024-11-05 10:00", old)
    seed.event(events.RELAY_TO_HOLDER, "2025-01-06 10:00", old)
    survey = events.SATISFACTION_ANSWERED
    seed.event(survey, "2025-06-01 10:00", p1, rating=4, recommend="yes", helped="network")
    seed.event(survey, "2025-06-02 10:00", p2, rating=5, recommend="no", comment="=SUM(A1)")
    seed.event(survey, "2025-06-03 10:00", p5, rating=4, recommend=None, comment=None)
    seed.event(survey, "2025-06-04 10:00", p6, rating=2, recommend="yes", comment="Bien.")
    seed.event(events.SATISFACTION_DECLINED, "2025-06-05 10:00", old)


async def test_delays_first_answers_and_survey_by_programme(
    factory: SessionFactory, config: Config
) -> None:
    async with factory.begin() as session:
        await seed_followup(session)
    async with factory() as session:
        result = await stats.compute_stats(session, config, YEAR, ADMIN, NOW)
    followup = result.report.followup
    assert followup.delays == {
        "benefices_crea": DelayFigures(known=4, within=2),
        "dla": DelayFigures(known=1, within=1),
    }
    assert followup.first_answer_hours["benefices_crea"] == pytest.approx(66)
    assert followup.first_answer_hours["dla"] == pytest.approx(6)
    assert followup.first_answer_hours["*"] == pytest.approx(24)
    crea = followup.surveys["benefices_crea"]
    assert crea == SurveyFigures({4: 2, 5: 1}, recommend_yes=1, recommend_answers=2)
    assert crea.answers == 3 and crea.average == pytest.approx(13 / 3)
    assert followup.surveys["dla"] == SurveyFigures({2: 1}, 1, 1)


async def test_staff_see_only_their_programmes(factory: SessionFactory, config: Config) -> None:
    async with factory.begin() as session:
        await seed_followup(session)
    async with factory() as session:
        result = await stats.compute_stats(
            session, config, YEAR, Scope(("dla",), everything=False), NOW
        )
    followup = result.report.followup
    assert set(followup.delays) == {"dla"} and set(followup.surveys) == {"dla"}
    assert set(followup.first_answer_hours) == {"dla", "*"}
    assert followup.first_answer_hours["*"] == pytest.approx(6)


async def test_stats_and_report_show_the_followup(sqlite_bot: Harness) -> None:
    async with sqlite_bot.session_factory.begin() as session:
        await seed_followup(session)
    admin = sqlite_bot.admin()
    admin.send_command("/stats", "2025")
    shown = await admin.expect("Suivi des porteur·euses de projet")
    text = shown.text or ""
    # Asked in March 2026: the dossier of 30 December is late by now.
    assert "Bénéfices'Créa : 2 sur 5 dossiers pris en charge dans le délai annoncé (40" in text
    assert "première réponse par le bot : 2,8 jours" in text  # 66 h
    assert "DLA : 1 sur 1 dossier pris en charge dans le délai annoncé (100" in text
    assert "3 réponses au questionnaire de satisfaction, moyenne 4,3/5" in text
    assert "(1 : 0 · 2 : 0 · 3 : 0 · 4 : 2 · 5 : 1) · recommandent le Pôle : 1 sur 2" in text
    assert "tous dispositifs : 1 jour" in text  # 24 h
    admin.send_command("/rapport", "2025")
    report = await admin.expect("la satisfaction des porteur·euses de projet")
    assert "DLA : 1 réponse au questionnaire de satisfaction, moyenne 2/5" in (report.text or "")


async def test_export_sheet_comments_for_admins_only(sqlite_bot: Harness) -> None:
    async with sqlite_bot.session_factory.begin() as session:
        await seed_followup(session)
    admin = sqlite_bot.admin()
    admin.send_command("/export", "2025")
    sent = await admin.expect("Données 2025 (XLSX)")
    rows = sheet_rows(sent, "Satisfaction")
    header = rows[0]
    assert header == [
        "Répondu le",
        "Dossier",
        "Dispositif",
        "Satisfaction (sur 5)",
        "Ce qui a le plus aidé",
        "Recommande le Pôle",
        "Commentaire",
    ]
    lines = [dict(zip(header, row, strict=True)) for row in rows[1:]]
    assert [line["Satisfaction (sur 5)"] for line in lines] == [4, 5, 4, 2]
    assert lines[0]["Ce qui a le plus aidé"] == "Les contacts et le réseau"
    assert lines[0]["Recommande le Pôle"] == "Oui" and lines[1]["Recommande le Pôle"] == "Non"
    assert lines[1]["Commentaire"] == "=SUM(A1)"  # stored as text, never as a formula
    figures = {(r[0], r[1], r[2]): r[3] for r in sheet_rows(sent, "Indicateurs")}
    assert figures["Dossiers pris en charge dans le délai annoncé", "Bénéfices'Créa", None] == 2
    assert figures["Réponses de satisfaction par note", "Bénéfices'Créa", "4"] == 2
    karim = sqlite_bot.staff("Karim")
    karim.send_command("/export", "2025")
    staff_file = await karim.expect("Sans données personnelles")
    staff_rows = sheet_rows(staff_file, "Satisfaction")
    assert "Commentaire" not in staff_rows[0]
    assert [row[2] for row in staff_rows[1:]] == ["DLA"]
    assert "Bien." not in {str(c) for row in staff_rows for c in row}
