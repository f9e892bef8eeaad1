"""A small year (2025) whose /stats figures are easy to count by hand, and one 2024 project."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from pes21_bot.db.models import Person, Project
from pes21_bot.services import events
from tests.stats.seed import Seeder, erase

HOLDER_NAME = "Zoé Martin"
HOLDER_EMAIL = "zoe@example.org"


@dataclass
class Scenario:
    """What the tests look up after seeding."""

    p1: Project
    p2: Project
    p3: Project
    p4: Project
    p5: Project
    volunteer: Person


async def seed_scenario(session: AsyncSession) -> Scenario:
    """P1..P5 welcomed in 2025 (P2 redirected, P5's holder erased), claims, reviews, funnel."""
    seed = Seeder(session)
    holder = await seed.person("Zoé")
    erased = await seed.person("Effacé")
    volunteer = await seed.person("Vera", telegram_id=7100, role="volunteer")
    answers = {"name": HOLDER_NAME, "email": HOLDER_EMAIL, "phone": "+33612345678"}
    p1 = await seed.project(
        "benefices_crea",
        "2025-02-03 10:00",
        holder=holder,
        sector="environment",
        commune="Dijon",
        postal_code="21000",
        source="flyer",
        answers={**answers, "idea": "Une recyclerie solidaire"},
    )
    p2 = await seed.project(
        "accueil_amont",
        "2025-04-10 09:00",
        sector="culture",
        commune=" dijon ",
        postal_code="21000",
    )
    p3 = await seed.project(
        "dla", "2025-06-01 09:00", path="dla", commune="Beaune", postal_code="21200"
    )
    p4 = await seed.project(
        "benefices_crea",
        "2025-07-01 08:00",
        sector="food",
        commune="Lyon",
        postal_code="69003",
        source="salon",
    )
    p5 = await seed.project("benefices_crea", "2025-08-01 10:00", holder=erased)
    # 2024, for the comparison: one project welcomed, claimed, with a structure and 2 jobs.
    p0 = await seed.project("benefices_crea", "2024-03-01 10:00")
    seed.event(events.CLAIMED, "2024-03-02 10:00", p0)
    seed.event(events.STRUCTURE_CREATED, "2024-09-01 10:00", p0, legal_form="scic")
    seed.event(events.JOBS_CREATED, "2024-09-01 10:00", p0, count=2, contract="cdi")

    # Claims: P1 after 24 h, P2 after 48 h (then redirected and claimed again), P4 after 12 h,
    # P5 after 96 h. Median overall 36 h; Bénéfices'Créa 24 h; accueil en amont 48 h.
    seed.event(events.CLAIMED, "2025-02-04 10:00", p1)
    seed.event(events.CLAIMED, "2025-04-12 09:00", p2)
    seed.event(
        events.REDIRECTED, "2025-05-01 09:00", p2, "benefices_crea", previous="accueil_amont"
    )
    p2.programme = "benefices_crea"
    seed.event(events.CLAIMED, "2025-05-02 09:00", p2)
    seed.event(events.CLAIMED, "2025-07-01 20:00", p4)
    seed.event(events.CLAIMED, "2025-08-05 10:00", p5)

    seed.event(events.ACCOMPANIMENT_STARTED, "2025-03-01 10:00", p1, started_on="2025-03-01")
    seed.event(events.STRUCTURE_CREATED, "2025-09-01 10:00", p1, legal_form="scop")
    seed.event(
        events.JOBS_CREATED, "2025-09-01 10:00", p1, count=2, contract="cdi", origin="accompaniment"
    )

    # Funnel: 7 questionnaires started (5 ideas, 2 DLA), 6 consents.
    for index in range(7):
        path = "dla" if index >= 5 else "idea"
        seed.event(events.INTAKE_STARTED, f"2025-01-{10 + index} 10:00", path=path)
    for index in range(6):
        seed.event(events.CONSENT_GIVEN, f"2025-01-{10 + index} 09:00", path="idea")
    for source in ("flyer", "flyer", "flyer", "salon", None, None):
        seed.event(events.BOT_STARTED, "2025-01-09 10:00", source=source)

    # Reviews of P1: one done in time, one overdue, one done only after the year, one
    # cancelled, one due next year.
    seed.review(p1, "2025-10-01 09:00", state="done", done="2025-10-05 10:00", assignee=volunteer)
    seed.review(p1, "2025-11-01 09:00", number=2, assignee=volunteer)
    seed.review(p1, "2025-12-20 09:00", state="done", done="2026-01-10 10:00", number=3)
    seed.review(p1, "2025-05-01 09:00", state="cancelled", number=4)
    seed.review(p1, "2026-02-01 09:00", number=5)
    seed.event(events.REVIEW_DONE, "2025-10-05 10:00", p1, actor=volunteer.id, hours=2.5, km=30)
    seed.event(events.REVIEW_DONE, "2026-01-10 10:00", p1, actor=volunteer.id, hours=1, km=5)
    await session.flush()
    await erase(session, erased, "2025-12-01 10:00")
    await session.flush()
    return Scenario(p1, p2, p3, p4, p5, volunteer)
