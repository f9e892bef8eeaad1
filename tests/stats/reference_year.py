"""A year of events (2025) built so that the activity report must read like the 2023 one.

Bénéfices'Créa 56 / 26 / 5 / 9; DLA 28 welcomed, 16 diagnostics, 13 individual + 4 collective
engineering, 12 follow-ups, 41 beneficiaries, 519 jobs consolidated; Générateur 3 territories;
volunteers 7 active, 18 reviews, 31,5 h, 412 km. Every block also holds events that must NOT
count: just outside the Paris year, in another programme, duplicates, erased people.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from pes21_bot.db.models import Person, Project
from pes21_bot.domain.milestones import (
    DLA_COLLECTIVE_ENGINEERING,
    DLA_DIAGNOSTIC,
    DLA_FOLLOW_UP,
    DLA_INDIVIDUAL_ENGINEERING,
    DLA_WELCOMED,
)
from pes21_bot.services import events
from tests.stats.seed import NEW_YEAR_2025_INSIDE, NEW_YEAR_2026_OUTSIDE, Seeder, erase


@dataclass(frozen=True)
class Expected:
    """The figures the report must show for 2025."""

    creation_welcomed: int = 56
    creation_accompanied: int = 26
    creation_accompanied_started: int = 25  # one runs over 24 months from 2024
    creation_structures: int = 5
    creation_jobs: int = 9
    dla_welcomed: int = 28
    dla_diagnostics: int = 16
    dla_individual: int = 13
    dla_collective: int = 4
    dla_collective_structures: int = 29  # 4 actions of 7 structures, and D1 joins the first
    dla_follow_ups: int = 12
    dla_beneficiaries: int = 41
    dla_jobs: int = 519
    territories: int = 3
    territories_started: int = 2  # one has been accompanied "depuis 2020"
    crdva_welcomed: int = 4
    volunteers_active: int = 7
    upstream_welcomed: int = 26
    reviews_done: int = 18
    hours: float = 31.5
    km: float = 412


def _day(index: int, hour: int = 10) -> str:
    """A 2025 date spread over the year (index 0..)."""
    month = 1 + index % 12
    day = 2 + index % 26
    return f"2025-{month:02d}-{day:02d} {hour:02d}:00"


async def _creation(seed: Seeder) -> list[Project]:
    holder = await seed.person("Zoé")  # erases their data below: their project still counts
    crea = [
        await seed.project(
            "benefices_crea",
            NEW_YEAR_2025_INSIDE if i == 0 else _day(i),
            holder=holder if i == 15 else None,
        )
        for i in range(30)
    ]
    amont = [await seed.project("accueil_amont", _day(i, 11)) for i in range(26)]
    await erase(seed.session, holder, "2025-12-01 10:00")
    # Redirected mid-year from accueil en amont to Bénéfices'Créa: still welcomed once.
    redirected = amont[20]
    seed.event(
        events.REDIRECTED,
        "2025-05-02 09:00",
        redirected,
        "benefices_crea",
        previous="accueil_amont",
    )
    # Not welcomed in 2025: a day too late in Paris (but 2025 in UTC), a year earlier.
    late = await seed.project("benefices_crea", NEW_YEAR_2026_OUTSIDE)
    older = await seed.project("benefices_crea", "2024-06-03 10:00")
    # Came through the DLA questionnaire then redirected: welcomed by the DLA, not here.
    via_dla = await seed.project("dla", "2025-04-04 10:00", path="dla")
    seed.event(events.REDIRECTED, "2025-04-20 10:00", via_dla, "benefices_crea", previous="dla")

    started = events.ACCOMPANIMENT_STARTED
    ended = events.ACCOMPANIMENT_ENDED
    for project in [*crea[:11], *amont[:12]]:
        seed.event(started, "2025-06-15 10:00", project, started_on="2025-06-15")
    # Accompanied over 24 months from 2024: counts in 2025 (not among those started then).
    long_run = await seed.project("benefices_crea", "2023-12-04 10:00")
    seed.event(started, "2024-03-01 10:00", long_run, started_on="2024-03-01")
    seed.event(ended, "2026-02-27 10:00", long_run, outcome="other", ended_on="2026-02-27")
    # Accompanied by both creation programmes: one project.
    seed.event(started, "2025-07-15 10:00", amont[0], "benefices_crea", started_on="2025-07-15")
    # Welcomed in 2024, accompanied in 2025: counts in 2025.
    seed.event(started, "2025-02-10 10:00", older, started_on="2025-02-10")
    seed.event(started, "2025-06-01 10:00", redirected, "benefices_crea", started_on="2025-06-01")
    # Not counted: started and ended in 2024 (on New Year's Eve in Paris), a project closed in
    # 2024 while accompanied, the DLA, a night too late.
    seed.event(started, "2024-12-31 22:00", crea[20], started_on="2024-12-31")
    seed.event(ended, "2024-12-31 23:30", crea[20], outcome="other", ended_on="2024-12-31")
    closed = await seed.project("benefices_crea", "2023-12-05 10:00")
    seed.event(started, "2024-05-02 10:00", closed, started_on="2024-05-02")
    seed.event(events.CLOSED, "2024-09-02 10:00", closed, reason="abandoned")
    seed.event(started, "2025-05-05 10:00", via_dla, "dla", started_on="2025-05-05")
    seed.event(started, NEW_YEAR_2026_OUTSIDE, late, started_on="2026-01-01")

    created = events.STRUCTURE_CREATED
    for project, form in zip(
        crea[:3] + amont[:2],
        ["association", "association", "association", "scop", "scop"],
        strict=True,
    ):
        seed.event(created, "2025-10-10 10:00", project, legal_form=form, name="Structure")
    seed.event(created, "2024-10-10 10:00", older, legal_form="scic", name="Ancienne")
    seed.event(created, "2025-10-10 10:00", via_dla, "dla", legal_form="association", name="X")
    seed.event(created, NEW_YEAR_2026_OUTSIDE, crea[4], legal_form="scop", name="Tardive")

    jobs = events.JOBS_CREATED
    seed.event(jobs, "2025-10-10 10:00", crea[0], count=4, contract="cdi", origin="accompaniment")
    seed.event(jobs, "2025-10-11 10:00", amont[0], count=3, contract="cdd", origin="accompaniment")
    seed.event(jobs, "2025-11-20 10:00", crea[1], count=2, contract="cdi", origin="review")
    seed.event(jobs, "2025-10-10 10:00", via_dla, "dla", count=5, contract="cdi", origin="review")
    seed.event(jobs, "2024-10-10 10:00", older, count=3, contract="cdi", origin="accompaniment")
    seed.event(jobs, NEW_YEAR_2026_OUTSIDE, crea[2], count=7, contract="cdd", origin="review")
    return crea + amont


async def _dla(seed: Seeder) -> None:
    new = [await seed.project("dla", _day(i, 9), path="dla") for i in range(28)]
    old = [await seed.project("dla", f"2024-03-{1 + i:02d} 09:00", path="dla") for i in range(14)]
    milestone = events.MILESTONE

    def mark(when: str, project: Project, name: str, **data: Any) -> None:
        seed.event(milestone, when, project, "dla", milestone=name, on=when[:10], **data)

    # 2024 structures: welcomed and diagnosed (9 jobs each) the year before.
    for structure in old:
        mark("2024-04-10 10:00", structure, DLA_WELCOMED)
        mark("2024-05-10 10:00", structure, DLA_DIAGNOSTIC, jobs_consolidated=9)
    # 28 structures welcomed in 2025, the first one just after midnight on New Year's Day.
    for index, structure in enumerate(new):
        when = NEW_YEAR_2025_INSIDE if index == 0 else "2025-02-03 10:00"
        # D17..D27 give their jobs at the first meeting (8 each); D1 gave a first estimate.
        jobs: dict[str, Any] = {"jobs_consolidated": 8} if 16 <= index <= 26 else {}
        if index == 0:
            jobs = {"jobs_consolidated": 5}
        if index == 27:
            jobs = {"jobs_consolidated": 99}  # never a beneficiary: not counted
        mark(when, structure, DLA_WELCOMED, **jobs)
    # 16 diagnostics (D1..D16), jobs 11..26; D17's diagnostic comes a night too late.
    for index, structure in enumerate(new[:16]):
        mark("2025-03-03 10:00", structure, DLA_DIAGNOSTIC, jobs_consolidated=11 + index)
    mark(NEW_YEAR_2026_OUTSIDE, new[16], DLA_DIAGNOSTIC, jobs_consolidated=500)
    # 13 individual engineering (D1..D13), D5 recorded twice.
    for structure in new[:13]:
        mark("2025-05-05 10:00", structure, DLA_INDIVIDUAL_ENGINEERING)
    mark("2025-09-05 10:00", new[4], DLA_INDIVIDUAL_ENGINEERING)
    # 4 collective actions with 7 structures each (D14..D27 and P1..P14), and D1 joins the
    # first one too: with D1..D13 (individual), 41 distinct beneficiaries in all.
    participants = new[13:27] + old
    for number, start in enumerate(range(0, 28, 7), start=1):
        for structure in participants[start : start + 7]:
            mark("2025-06-06 10:00", structure, DLA_COLLECTIVE_ENGINEERING, action=f"A{number}")
    mark("2025-06-06 10:00", new[0], DLA_COLLECTIVE_ENGINEERING, action="A1")
    # 12 follow-ups (P1..P12); P1 reports 18 jobs now (the latest figure wins over 9).
    for index, structure in enumerate(old[:12]):
        extra = {"jobs_consolidated": 18} if index == 0 else {}
        mark("2025-11-11 10:00", structure, DLA_FOLLOW_UP, **extra)
    # Later than the period: ignored, even for jobs.
    mark(NEW_YEAR_2026_OUTSIDE, old[1], DLA_FOLLOW_UP, jobs_consolidated=50)
    # A milestone of another programme is no DLA figure.
    crea = await seed.project("benefices_crea", "2024-02-02 10:00")
    seed.event(milestone, "2025-03-03 10:00", crea, milestone="feasibility_study", on="2025-03-03")


async def _generateur_and_crdva(seed: Seeder) -> None:
    started = events.ACCOMPANIMENT_STARTED
    territories = [
        await seed.project("generateur", _day(i), path="local_authority") for i in range(4)
    ]
    for territory in territories[:2]:
        seed.event(started, "2025-09-09 10:00", territory, started_on="2025-09-09")
    seed.event(started, "2025-10-09 10:00", territories[1], started_on="2025-10-09")
    # Accompanied "depuis 2020" and still running: one of 2025's territories.
    since_2020 = await seed.project("generateur", "2019-11-04 10:00", path="local_authority")
    seed.event(started, "2020-01-15 10:00", since_2020, started_on="2020-01-15")
    # Accompanied in 2024 and ended then: not 2025's.
    seed.event(started, "2024-09-09 10:00", territories[3], started_on="2024-09-09")
    ended = events.ACCOMPANIMENT_ENDED
    seed.event(ended, "2024-12-09 10:00", territories[3], outcome="other", ended_on="2024-12-09")
    for i in range(4):
        await seed.project("crdva", _day(i, 15), path="crdva")


async def _volunteers(seed: Seeder, team_member: Person, projects: list[Project]) -> None:
    done = events.REVIEW_DONE
    volunteers = [
        await seed.person(f"Bénévole {i}", telegram_id=7001 + i, role="volunteer") for i in range(7)
    ]
    reviews = [3, 2, 2, 2, 2, 2, 2]  # 15 reviews by 7 volunteers
    number = 0
    for volunteer, count in zip(volunteers, reviews, strict=True):
        for _ in range(count):
            project = projects[number]
            number += 1
            seed.event(
                done,
                f"2025-{1 + number % 12:02d}-15 14:00",
                project,
                actor=volunteer.id,
                review_id=number,
                hours=1.5,
                km=20,
            )
    # A volunteer who erased their data: reviews still count, the person does not.
    seed.event(done, "2025-06-20 14:00", projects[20], review_id=90, hours=2, km=12)
    # Two reviews by a staff member: they count, the staff member is no volunteer.
    for index in range(2):
        seed.event(
            done,
            "2025-07-20 14:00",
            projects[21 + index],
            actor=team_member.id,
            review_id=91 + index,
            hours=3.5,
            km=50,
        )
    # Outside 2025.
    seed.event(done, "2024-12-20 14:00", projects[25], actor=volunteers[0].id, hours=9, km=99)
    seed.event(done, NEW_YEAR_2026_OUTSIDE, projects[26], actor=volunteers[1].id, hours=9, km=99)


async def seed_reference_year(session: AsyncSession, staff_telegram_id: int) -> Expected:
    """Add the reference year to the database; returns the figures the report must show."""
    seed = Seeder(session)
    team_member = await seed.person("Camille", telegram_id=staff_telegram_id)
    projects = await _creation(seed)
    await _dla(seed)
    await _generateur_and_crdva(seed)
    await _volunteers(seed, team_member, projects)
    await session.flush()
    return Expected()
