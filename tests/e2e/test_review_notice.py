"""After a bilan, the staff member who ran the accompaniment is told, even when a volunteer owns
the dossier (accueil en amont) and wrote the bilan themselves."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import delete

from pes21_bot import buttons
from pes21_bot.config import Config
from pes21_bot.db.models import Accompaniment, Project
from pes21_bot.domain.vocabulary import Programme
from pes21_bot.fake_telegram import FakeUser
from pes21_bot.services import projects, reviews
from pes21_bot.services.people import UserInfo
from tests.e2e.outbox_helpers import drained
from tests.harness import Harness
from tests.volunteers.helpers import (
    CAMILLE,
    dispatch,
    end_by_service,
    seed_project,
    seed_volunteer,
    stop_jobs,
    travel,
)

pytestmark = pytest.mark.e2e

PARIS = ZoneInfo("Europe/Paris")
VERA = 6021


async def volunteer_owned(bot: Harness) -> Project:
    """An accueil-en-amont dossier claimed by Véra, a volunteer who also does the bilans; Camille
    ran the accompaniment, which ended on 10 March."""
    stop_jobs(bot)
    await seed_volunteer(bot, VERA, "Véra", missions=("welcoming", "reviews"))
    project = await seed_project(bot, owner_id=None)
    async with bot.session_factory.begin() as session:
        fresh = await session.get(Project, project.id)
        assert fresh is not None
        fresh.programme = "accueil_amont"
        await projects.claim(session, fresh.id, UserInfo(VERA, "Véra"), bot.clock.now())
    await end_by_service(bot, project, date(2026, 3, 10))
    return project


async def reminded(bot: Harness) -> FakeUser:
    travel(bot, datetime(2026, 6, 10, 9, 0, tzinfo=PARIS))
    await dispatch(bot)
    vera = bot.api.user(VERA)
    await vera.expect("Bilan à faire")
    return vera


async def test_a_volunteer_owners_bilan_reaches_the_staff_who_ran_the_accompaniment(
    sqlite_bot: Harness,
) -> None:
    bot = sqlite_bot
    project = await volunteer_owned(bot)
    vera = await reminded(bot)
    vera.press("Saisir le bilan")
    await vera.expect("Question 1/")
    vera.press("Hier (09/06/2026)")
    await vera.expect("Comment avez-vous échangé")
    vera.press("Téléphone")
    await vera.expect("Où en est le projet")
    vera.press("La structure est créée")
    await vera.expect("Combien d'emplois")
    vera.send_text("0")
    await vera.expect("nouveaux besoins")
    vera.press("Passer")
    await vera.expect("satisfaction")
    vera.press("4")
    await vera.expect("Combien de temps")
    vera.send_text("1")
    await vera.expect("kilomètres")
    vera.send_text("0")
    await vera.expect("commentaire libre")
    vera.press("Passer")
    await vera.expect("Récapitulatif")
    vera.press("✅ Enregistrer")
    await vera.expect("chargé·e de mission est prévenu·e")

    camille = bot.staff("Camille")
    done = await camille.expect("Bilan n°1 du dossier PES-2026-0001 saisi par Véra")
    assert "Satisfaction : 4/5" in (done.text or "")
    assert buttons.PROJECT.pack(project.id) in str(done.inline_buttons)
    camille.press(buttons.PROJECT.pack(project.id), message=done)
    await camille.expect("PES-2026-0001")
    assert not [m for m in bot.api.messages(VERA) if "saisi par" in (m.text or "")]


async def test_a_volunteer_owner_who_declines_hands_the_bilan_to_the_staff(
    sqlite_bot: Harness,
) -> None:
    bot = sqlite_bot
    await volunteer_owned(bot)
    vera = await reminded(bot)
    vera.press("Je ne peux pas")
    await vera.expect("chargé·e de mission est informé·e")
    camille = bot.staff("Camille")
    notice = await camille.expect("ne peut plus être fait par Véra")
    assert "confié à Camille" in (notice.text or "")
    vera.send_command("/mes_bilans")
    mine = await vera.expect("Bilans à faire")
    assert "bilan n°1" not in (mine.text or "") and "bilan n°2" in (mine.text or "")


async def test_without_staff_in_charge_the_coordinator_then_the_admins_are_told(
    sqlite_bot: Harness, config: Config
) -> None:
    bot = sqlite_bot
    project = await volunteer_owned(bot)
    async with bot.session_factory.begin() as session:
        fresh = await session.get(Project, project.id)
        assert fresh is not None
        await session.execute(delete(Accompaniment))  # as if nobody on staff ran it
        assert await reviews.chats_in_charge(session, config, fresh) == [CAMILLE]  # coordinator
        programmes = dict(config.programmes)
        programmes[Programme.ACCUEIL_AMONT] = programmes[Programme.ACCUEIL_AMONT].model_copy(
            update={"coordinator": None}
        )
        bare = config.model_copy(update={"programmes": programmes})
        assert await reviews.chats_in_charge(session, bare, fresh) == [m.id for m in config.admins]
        fresh.owner_id = None
        assert await reviews.staff_in_charge(session, config, fresh) is None


async def test_staff_who_decline_their_own_bilan_are_not_told_about_it(sqlite_bot: Harness) -> None:
    bot = sqlite_bot
    stop_jobs(bot)
    project = await seed_project(bot)  # Camille's, no volunteer: the bilans are hers
    await end_by_service(bot, project, date(2026, 3, 10))
    travel(bot, datetime(2026, 6, 10, 9, 0, tzinfo=PARIS))
    await dispatch(bot)
    camille = bot.staff("Camille")
    camille.press("Je ne peux pas", message=await camille.expect("Bilan à faire"))
    await camille.expect("confié à quelqu'un d'autre")
    await drained(bot)
    assert not [m for m in bot.api.messages(CAMILLE) if "ne peut plus être fait" in (m.text or "")]
