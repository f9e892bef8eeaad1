"""A staff member who never opened the bot: the others still get the cards, the admins are told
once who must open the bot, and the cards still to take reach that person when they press Start."""

from __future__ import annotations

import pytest

from pes21_bot.config import Config, StaffMember
from pes21_bot.db.models import Person
from pes21_bot.domain.vocabulary import Programme
from pes21_bot.runner import team_report
from pes21_bot.services.people import find_person
from tests.e2e.flows import EARLY_IDEA, submit_idea
from tests.e2e.outbox_helpers import drained
from tests.harness import OTHER_HOLDER_ID, Harness
from tests.volunteers.helpers import stop_jobs

pytestmark = pytest.mark.e2e

NORA = 2009
LINK = "t.me/pes21_test_bot"


async def with_nora(bot: Harness, config: Config) -> None:
    """Nora joins accueil en amont in config.yaml, but has never opened the bot."""
    staff = [*config.staff, StaffMember(id=NORA, name="Nora", programmes=[Programme.ACCUEIL_AMONT])]
    bot.config = config.model_copy(update={"staff": staff})
    await bot.restart()
    stop_jobs(bot)


def told_about_nora(bot: Harness) -> list[str]:
    return [m.text or "" for m in bot.admin().messages if "Nora" in (m.text or "")]


async def test_admins_learn_once_who_must_open_the_bot_and_missed_cards_follow(
    sqlite_bot: Harness, config: Config
) -> None:
    bot = sqlite_bot
    await with_nora(bot, config)
    await submit_idea(bot.holder(), EARLY_IDEA)
    await drained(bot)
    # The programme's other staff still get the card.
    await bot.staff("Camille").expect("PES-2026-0001")
    await bot.staff("Léa").expect("PES-2026-0001")
    (alert,) = told_about_nora(bot)
    assert "ne peut pas écrire à Nora" in alert and LINK in alert and str(NORA) in alert
    assert "PES-2026-0001" in alert
    assert "Paul" not in alert and "0612345679" not in alert  # no holder's data

    await submit_idea(bot.holder(OTHER_HOLDER_ID, "Jules"), EARLY_IDEA)
    await drained(bot)
    second = await bot.staff("Camille").expect("PES-2026-0002")
    assert len(told_about_nora(bot)) == 1  # once per person, not per card
    camille = bot.staff("Camille")
    camille.press("✋ Je prends", message=second)
    await camille.expect("Pris en charge · PES-2026-0002")

    report = await team_report(bot.config, bot.db_url)  # bot.py --check names her too
    assert any("Nora (2009) ne reçoit pas ses fiches" in line for line in report), report

    nora = bot.api.user(NORA, first_name="Nora")
    nora.send_command("/start")
    await nora.expect("Bonjour")
    await nora.expect("1 dossier est arrivé")
    card = await nora.expect("PES-2026-0001")
    assert card.buttons[0] == ["✋ Je prends"]
    await drained(bot)
    assert not [m for m in bot.api.messages(NORA) if "PES-2026-0002" in (m.text or "")]
    async with bot.session_factory() as session:
        person = await find_person(session, NORA)
    assert isinstance(person, Person) and person.unreachable_at is None

    nora.send_command("/start")  # a second Start sends nothing again
    await nora.expect("Bonjour")
    await drained(bot)
    assert sum("PES-2026-0001" in (m.text or "") for m in bot.api.messages(NORA)) == 1
    assert len(told_about_nora(bot)) == 1
    report = await team_report(bot.config, bot.db_url)
    assert not any("Nora" in line for line in report), report
    assert "dossiers" in {
        c["command"] for c in bot.api.get_commands({"type": "chat", "chat_id": NORA}) or []
    }
