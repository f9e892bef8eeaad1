"""The table of who may do what, walked whole: every command and every button family, tried by
every persona. Those the table does not allow get its French refusal and change nothing in the
database; those it allows are not refused. The form buttons, open to everyone, act only on the
presser's own draft."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select

from pes21_bot import access, buttons, texts
from pes21_bot.access import Rule
from pes21_bot.buttons import Button, Code, Id, OneOf
from pes21_bot.db.models import Base, Review
from pes21_bot.domain.vocabulary import Programme
from pes21_bot.fake_telegram import FakeUser
from pes21_bot.handlers.team import refresh_team
from pes21_bot.services import team
from pes21_bot.services.forms import open_draft
from pes21_bot.services.people import Role, UserInfo, ensure_person
from pes21_bot.texts import handover as handover_texts
from pes21_bot.texts import volunteers as volunteer_texts
from tests.e2e.flows import start_path
from tests.harness import HOLDER_ID, Harness
from tests.volunteers.helpers import (
    CAMILLE,
    KARIM,
    end_by_service,
    seed_project,
    seed_volunteer,
    team_row,
)

REMI = 6011
ADMIN = 1001
GONE = 2009  # taken off the team by /equipe (was Bénéfices'Créa)
LOST = 2008  # stopped following Bénéfices'Créa by /equipe (keeps the DLA)
MISSIONS = ("reviews", "welcoming", "co_accompaniment")


@dataclass(frozen=True)
class Persona:
    """Someone trying things: their Telegram id, roles and volunteer missions."""

    name: str
    telegram_id: int
    roles: frozenset[Role]
    missions: frozenset[str] = frozenset()


PERSONAS = (
    Persona("holder", HOLDER_ID, frozenset({Role.HOLDER})),
    Persona(
        "volunteer", REMI, frozenset({Role.HOLDER, Role.VOLUNTEER}), missions=frozenset(MISSIONS)
    ),
    Persona("staff", CAMILLE, frozenset({Role.HOLDER, Role.STAFF})),  # Bénéfices'Créa, amont
    Persona("other_staff", KARIM, frozenset({Role.HOLDER, Role.STAFF})),  # DLA only
    Persona("admin", ADMIN, frozenset({Role.HOLDER, Role.ADMIN})),
    # Issue 17: whoever left the team is refused everything but what any holder may do; whoever
    # lost the programme, everything about its dossiers.
    Persona("removed", GONE, frozenset({Role.HOLDER})),
    Persona("lost_programme", LOST, frozenset({Role.HOLDER, Role.STAFF})),
)


@dataclass(frozen=True)
class Targets:
    """Rows the buttons act on."""

    project: int  # claimed by Camille (Bénéfices'Créa), accompaniment not started
    early_project: int  # accueil en amont, unclaimed: welcoming volunteers may claim it
    review: int  # of Camille's project, assigned to Rémi
    volunteer: int  # Rémi's person id


def _programme_of(family: Button | None, rule: Rule) -> str:
    if rule.programme is not None:
        return rule.programme
    if family is buttons.CLAIM:
        return Programme.ACCUEIL_AMONT
    return Programme.BENEFICES_CREA


def _allowed(harness: Harness, rule: Rule, who: Persona, family: Button | None) -> bool:
    """What the table says, with the programme concerned for scoped rules."""
    if not access.allows(rule, set(who.roles), set(who.missions)):
        return False
    if family is not None and rule.holder_volunteer and who.roles & rule.roles == {Role.VOLUNTEER}:
        return False  # Rémi holds no dossier (test_mission.py tries the volunteer who holds one)
    if not rule.scoped or family is None:  # a command's scope applies to its argument
        return True
    programme = _programme_of(family, rule)
    assert harness.app is not None  # the team as changed by chat
    if access.staff_may(rule, harness.app.bot_data.config, who.telegram_id, programme):
        return True
    # The volunteer is Rémi: the review's assignee and a welcoming volunteer.
    return Role.VOLUNTEER in who.roles & rule.roles


# Field values that do nothing irreversible when an allowed persona presses the button.
HARMLESS = {"erase": "no", "vrx": "no", "dla": "no", "rv": "go"}


def _data(family: Button, targets: Targets) -> str:
    values: list[object] = []
    for field in family.fields:
        if isinstance(field, Id):
            if family in (buttons.REVIEW, buttons.DLA):
                values.append(targets.review)
            elif family in (buttons.REMOVE, buttons.REMOVE_CONFIRM):
                values.append(targets.volunteer)
            elif family is buttons.CLAIM:
                values.append(targets.early_project)
            else:
                values.append(targets.project)
        elif isinstance(field, OneOf):
            values.append(HARMLESS.get(family.prefix, field.values[0]))
        else:
            assert isinstance(field, Code)
            values.append("x")
    return family.pack(*values)


async def _snapshot(harness: Harness) -> dict[str, list[Any]]:
    """Every row of every table but PTB's own storage."""
    found: dict[str, list[Any]] = {}
    async with harness.session_factory() as session:
        for table in Base.metadata.sorted_tables:
            if table.name.startswith("ptb_"):
                continue
            result = await session.execute(select(table).order_by(*table.primary_key.columns))
            found[table.name] = [tuple(row) for row in result]
    return found


def _plain(html: str) -> str:
    return re.sub(r"<[^>]+>", "", html)


async def _seed(harness: Harness) -> Targets:
    remi = await seed_volunteer(harness, REMI, "Rémi", MISSIONS)
    project = await seed_project(harness)
    ended = await seed_project(harness, holder_id=5009)
    scheduled = await end_by_service(harness, ended, date(2026, 3, 10))
    async with harness.session_factory.begin() as session:
        review = await session.get(Review, scheduled[0].id)
        assert review is not None
        review.assignee_id = remi.id
        review.dla_state = "pending"
    early = await seed_project(harness, holder_id=5010, owner_id=None, answers={"idea": "x"})
    assert early.programme == Programme.ACCUEIL_AMONT
    await _change_the_team(harness)
    return Targets(project.id, early.id, review.id, remi.id)


async def _change_the_team(harness: Harness) -> None:
    """Two members join by chat; then one is removed and the other loses Bénéfices'Créa."""
    assert harness.app is not None
    data = harness.app.bot_data
    now = harness.clock.now()
    admin = UserInfo(ADMIN, "Direction")
    async with harness.session_factory.begin() as session:
        for telegram_id, name in ((GONE, "Dominique"), (LOST, "Sam")):
            await ensure_person(session, UserInfo(telegram_id, name), now)
        session.add(team_row(GONE, "Dominique", ["benefices_crea"], now))
        session.add(team_row(LOST, "Sam", ["benefices_crea", "dla"], now))
    await refresh_team(data)
    async with harness.session_factory.begin() as session:
        assert await team.remove(session, data.config, GONE, admin, now) is not None
        lost = await team.set_programme(
            session, data.config, LOST, "benefices_crea", False, admin, now
        )
        assert lost is not None and lost.row.programmes == ["dla"]
    await refresh_team(data)


Entry = tuple[str, Rule, Button | None]  # command name or button prefix, rule, button family


async def _try(harness: Harness, user: FakeUser, entry: Entry, targets: Targets) -> str:
    """Send the command or press the button; the bot's first answer (message or toast)."""
    label, _, family = entry
    if family is None:
        user.send_command(f"/{label}")
        return (await user.next_message()).text or ""
    return await harness.button_answer(user.press_raw(_data(family, targets)))


def _tries(harness: Harness, entries: list[Entry], allowed: bool) -> list[tuple[Entry, Persona]]:
    return [
        (entry, who)
        for entry in entries
        for who in PERSONAS
        if _allowed(harness, entry[1], who, entry[2]) == allowed
    ]


async def test_every_entry_of_the_table_is_refused_to_others_and_open_to_its_roles(
    sbot: Harness,
) -> None:
    targets = await _seed(sbot)
    users = {p.name: sbot.api.user(p.telegram_id) for p in PERSONAS}
    entries: list[Entry] = [(name, rule, None) for name, rule in access.COMMANDS.items()]
    entries += [(f.prefix, access.BUTTONS[f.prefix], f) for f in buttons.FAMILIES]
    before = await _snapshot(sbot)
    refused = _tries(sbot, entries, allowed=False)
    assert len(refused) > 100  # the walk really tries the restricted entries
    gone = _plain(sbot.content.render(handover_texts.NO_LONGER_TEAM))
    for entry, who in refused:
        answer = await _try(sbot, users[who.name], entry, targets)
        expected = gone if who.name == "removed" else _plain(sbot.content.render(entry[1].refusal))
        assert answer == expected, (entry[0], who.name)
    tried = {who.name for _, who in refused}
    assert {"removed", "lost_programme"} <= tried
    await sbot.settle()
    assert await _snapshot(sbot) == before
    for entry, who in _tries(sbot, entries, allowed=True):
        refusal = _plain(sbot.content.render(entry[1].refusal))
        user = users[who.name]
        assert await _try(sbot, user, entry, targets) != refusal, (entry[0], who.name)
        await sbot.settle()
        assert all(_plain(m.text or "") != refusal for m in user.unread()), (entry[0], who.name)


async def test_a_volunteer_help_and_menu_do_not_offer_to_join(sbot: Harness) -> None:
    await seed_volunteer(sbot, REMI, "Rémi")
    volunteer = sbot.api.user(REMI)
    volunteer.send_command("/aide")
    text = (await volunteer.expect("Voici ce que vous pouvez")).text or ""
    assert "/profil" in text and "/bilan" in text
    assert "/rejoindre" not in text
    holder = sbot.holder()
    holder.send_command("/aide")
    assert "/rejoindre" in ((await holder.expect("Voici ce que vous pouvez")).text or "")
    assert "rejoindre" not in access.commands_for({Role.HOLDER, Role.VOLUNTEER})


def _form_data(family: Button, draft_id: int, question_id: str) -> str:
    """A form engine button of that draft's question, with a plausible value in each field."""
    values: list[object] = [draft_id]
    for field in family.fields[1:]:
        if isinstance(field, OneOf):
            values.append(field.values[0])  # "save" under a recap
        elif isinstance(field, Code):
            values.append(question_id if len(values) == 1 else "yes")
        else:
            values.append(1)  # the first choice ticked
    return family.pack(*values)


async def test_no_one_presses_the_form_buttons_of_someone_elses_draft(sbot: Harness) -> None:
    victim, intruder = sbot.holder(), sbot.api.user(5050)
    await start_path(victim, "💡 J'ai une idée de projet")
    await start_path(intruder, "💡 J'ai une idée de projet")  # so that a draft id differs too
    intake_draft = (await sbot.projects())[0].id
    remi = await seed_volunteer(sbot, REMI, "Rémi")
    async with sbot.session_factory.begin() as session:
        form = await open_draft(session, remi.id, "vol_missions", None, {}, sbot.clock.now())
    first_question = sbot.content.questionnaires["idea"].questions[0].id
    presses = [
        _form_data(f, intake_draft, first_question) for f in vars(buttons.INTAKE_FORM).values()
    ]
    presses += [_form_data(f, form.id, "missions") for f in vars(buttons.SHORT_FORM).values()]
    stale = _plain(sbot.content.render(texts.STALE_BUTTON))
    done = _plain(sbot.content.render(volunteer_texts.FORM_ALREADY_DONE))  # fr: with no form open
    before = await _snapshot(sbot)
    for user in (victim, intruder):
        user.unread()  # what starting the intakes left
    for data in presses:
        toast = await sbot.button_answer(intruder.press_raw(data))
        if toast:
            assert toast == done, data
        else:
            assert (await intruder.expect("plus valable")).text == stale, data
    await sbot.settle()
    assert await _snapshot(sbot) == before
    assert not victim.unread()
