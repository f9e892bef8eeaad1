"""The relay (issue 10): after submission, what a holder writes reaches whoever holds the dossier,
and their answer comes back from "l'équipe du Pôle"; forum topics, refusals, failures, history."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import select

from pes21_bot import buttons
from pes21_bot.db.models import Event, OutboxMessage, Project
from pes21_bot.fake_telegram import BotMessage, FakeUser
from pes21_bot.services import events
from tests.e2e.flows import submit_idea
from tests.e2e.outbox_helpers import drained
from tests.e2e.test_group_buttons import GROUP, group_bot  # noqa: F401 - fixture
from tests.harness import Harness
from tests.volunteers.helpers import CAMILLE, seed_project

pytestmark = pytest.mark.e2e

QUESTION = "Bonjour, puis-je venir au rendez-vous avec mon associée ?"


async def relay_events(bot: Harness) -> list[Event]:
    async with bot.session_factory() as session:
        result = await session.execute(
            select(Event)
            .where(
                Event.kind.in_(
                    (events.HOLDER_MESSAGE, events.RELAY_TO_HOLDER, events.RELAY_UNDELIVERED)
                )
            )
            .order_by(Event.id)
        )
        return list(result.scalars())


async def question_relayed(bot: Harness) -> tuple[FakeUser, FakeUser, BotMessage]:
    """A submitted dossier, its card to Camille, and the holder's question relayed to her."""
    holder = bot.holder()
    await submit_idea(holder)
    camille = bot.staff("Camille")
    await camille.expect("PES-2026-0001")
    holder.send_text(QUESTION)
    return holder, camille, await camille.expect(QUESTION)


async def test_messages_go_to_the_team_then_the_owner_and_answers_come_back(
    sqlite_bot: Harness,
) -> None:
    bot = sqlite_bot
    holder = bot.holder()
    await submit_idea(holder)
    camille = bot.staff("Camille")
    card = await camille.expect("PES-2026-0001")

    holder.send_text(QUESTION)
    told = await holder.expect("est transmis à l'équipe du Pôle qui suit ce dispositif")
    assert "PES-2026-0001" in (told.text or "")
    relayed = await camille.expect(QUESTION)
    assert "Zoé" in (relayed.text or "") and "PES-2026-0001" in (relayed.text or "")
    assert relayed.buttons[0] == ["↩️ Répondre"]

    holder.send_text("Et aussi : faut-il un business plan ?")  # told only once
    await camille.expect("business plan")
    await drained(bot)
    assert not any("est transmis" in (m.text or "") for m in holder.unread())

    camille.send_text("Oui, venez à deux !", reply_to=relayed.message_id)
    answer = await holder.expect("Oui, venez à deux !")
    assert "L'équipe du Pôle" in (answer.text or "") and "Camille" in (answer.text or "")
    assert "@" not in (answer.text or "")
    await camille.expect("Réponse transmise à Zoé")

    camille.press("✋ Je prends", message=card)
    await camille.expect("Pris en charge")
    holder.send_photo(caption="le plan du local")
    await holder.expect("est transmis à Camille, qui suit votre dossier")  # the reader changed
    photo = await camille.next_message()
    while photo.kind != "photo":
        photo = await camille.next_message()
    assert "le plan du local" in (photo.caption or "") and "Zoé" in (photo.caption or "")

    camille.press("↩️ Répondre", message=photo)
    await camille.expect("Votre prochain message")
    camille.send_photo(caption="voici le nôtre")
    back = await holder.next_message()
    assert back.kind == "photo" and "voici le nôtre" in (back.caption or "")
    assert "L'équipe du Pôle" in (back.caption or "")

    history = await relay_events(bot)
    assert [e.kind for e in history] == [
        events.HOLDER_MESSAGE,
        events.HOLDER_MESSAGE,
        events.RELAY_TO_HOLDER,
        events.HOLDER_MESSAGE,
        events.RELAY_TO_HOLDER,
    ]
    assert history[3].data["media"] == "photo" and history[3].data["file_id"]

    await drained(bot)
    camille.unread()
    camille.send_command("/dossier", "PES-2026-0001")
    panel = await camille.expect("PES-2026-0001")
    camille.press("💬 Messages", message=panel)
    shown = await camille.expect("Messages échangés")
    assert "5 en tout" in (shown.text or "") and "Oui, venez à deux" in (shown.text or "")
    assert "[photo]" in (shown.text or "")
    # Each line says when, to the minute: several messages a day are told apart.
    assert re.search(r"• \d\d/\d\d/\d{4} \d\d:\d\d · Zoé", shown.text or "")

    holder.send_command("/mes_donnees")
    summary = await holder.expect("Vos données")
    holder.press("📄 Recevoir le fichier", message=summary)
    exported = await holder.next_message()
    while exported.document is None:
        exported = await holder.next_message()
    assert exported.document.content is not None
    kept = json.loads(exported.document.content)
    assert "Oui, venez à deux !" in json.dumps(kept, ensure_ascii=False)

    holder.send_command("/supprimer")
    await holder.expect("effacer toutes vos données")
    holder.press("Oui, tout effacer")
    await holder.expect("vos données personnelles sont effacées")
    await drained(bot)
    erased = await relay_events(bot)
    assert len(erased) == 5  # the count stays
    assert all(not e.data.get("text") and not e.data.get("file_id") for e in erased)
    async with bot.session_factory() as session:
        stored = await session.execute(select(OutboxMessage.payload))
        assert not any("venez" in str(p) or QUESTION in str(p) for p in stored.scalars())


async def test_a_forged_reply_is_refused(sqlite_bot: Harness) -> None:
    bot = sqlite_bot
    holder, _camille, relayed = await question_relayed(bot)
    intruder = bot.api.user(7777, "Intrus")
    intruder.press_raw(buttons.RELAY_ANSWER.pack(1), relayed.message_id)
    await intruder.expect("Vous ne suivez pas ce dossier")
    intruder.send_text("je me fais passer pour l'équipe")
    await drained(bot)
    assert not any("je me fais passer" in m.content for m in bot.api.messages(holder.id))
    assert [e.kind for e in await relay_events(bot)] == [events.HOLDER_MESSAGE]


async def test_a_blocked_holder_is_told_to_the_sender(sqlite_bot: Harness) -> None:
    bot = sqlite_bot
    holder, camille, relayed = await question_relayed(bot)
    holder.block_bot()
    camille.send_text("Oui, bien sûr", reply_to=relayed.message_id)
    await camille.expect("n'a pas pu être remise")
    assert [e.kind for e in await relay_events(bot)][-1] == events.RELAY_UNDELIVERED
    await drained(bot)
    camille.unread()
    camille.send_command("/dossier", "PES-2026-0001")
    panel = await camille.expect("PES-2026-0001")
    camille.press("💬 Messages", message=panel)
    await camille.expect("réponse non remise")


@pytest.mark.parametrize("fault", ["429", "500"])
async def test_relayed_sends_survive_429_and_500(sqlite_bot: Harness, fault: str) -> None:
    bot = sqlite_bot
    holder = bot.holder()
    await submit_idea(holder)
    camille = bot.staff("Camille")
    await camille.expect("PES-2026-0001")
    await drained(bot)
    bot.api.inject_fault("sendMessage", fault, times=2, chat_id=camille.id)  # type: ignore[arg-type]
    holder.send_text(QUESTION)
    relayed = await camille.expect(QUESTION)
    bot.api.inject_fault("sendMessage", fault, times=2, chat_id=holder.id)  # type: ignore[arg-type]
    camille.send_text("Bien reçu", reply_to=relayed.message_id)
    await holder.expect("Bien reçu")
    await drained(bot)
    assert sum(QUESTION in m.content for m in bot.api.messages(camille.id)) == 1
    assert sum("Bien reçu" in m.content for m in bot.api.messages(holder.id)) == 1


async def test_a_forum_group_gets_one_topic_per_dossier(group_bot: Harness) -> None:  # noqa: F811
    bot = group_bot
    group = bot.api.group(GROUP, "Équipe Bénéfices'Créa", forum=True)
    holder = bot.holder()
    await submit_idea(holder)
    card = await group.expect("PES-2026-0001")
    async with bot.session_factory() as session:
        project = (await session.execute(select(Project))).scalar_one()
    assert project.topic_id is not None and card.thread_id == project.topic_id
    assert bot.api.topic_name(GROUP, project.topic_id) == "📂 PES-2026-0001"

    holder.send_text(QUESTION)
    relayed = await group.expect(QUESTION)
    assert relayed.thread_id == project.topic_id
    camille = bot.staff("Camille")
    camille.send_text("Réponse dans le sujet", chat=group, thread=project.topic_id)
    await holder.expect("Réponse dans le sujet")
    stranger = bot.api.user(7777, "Intrus")
    stranger.send_text("moi aussi", chat=group, thread=project.topic_id)
    await group.expect("Vous ne suivez pas ce dossier")
    await drained(bot)
    assert not any("moi aussi" in m.content for m in bot.api.messages(holder.id))
    assert len(bot.api.calls_to("createForumTopic")) == 1


async def test_a_closed_dossier_closes_its_topic(group_bot: Harness) -> None:  # noqa: F811
    bot = group_bot
    group = bot.api.group(GROUP, "Équipe Bénéfices'Créa", forum=True)
    holder = bot.holder()
    await submit_idea(holder)
    card = await group.expect("PES-2026-0001")
    assert card.thread_id is not None
    camille = bot.staff("Camille")
    camille.press_raw(buttons.CLOSE.pack(1, "not_ess"), card.message_id, chat=group)
    await bot.api.wait_for_call("closeForumTopic")
    await drained(bot)
    assert bot.api.topic_closed(GROUP, card.thread_id)
    holder.send_text("encore une question")  # a closed dossier relays nothing
    await holder.expect("Que souhaitez-vous faire")
    assert not any("encore une question" in m.content for m in bot.api.messages(GROUP))


async def test_replies_in_a_plain_group_reach_the_holder(group_bot: Harness) -> None:  # noqa: F811
    bot = group_bot
    group = bot.api.group(GROUP, "Équipe Bénéfices'Créa")
    holder = bot.holder()
    await submit_idea(holder)
    await group.expect("PES-2026-0001")
    holder.send_text(QUESTION)
    relayed = await group.expect(QUESTION)
    assert relayed.thread_id is None and "Répondez à ce message" in relayed.content
    camille = bot.staff("Camille")
    camille.send_text("bavardage sans rapport", chat=group)  # not a reply: left alone
    camille.send_text("Bien sûr, venez à deux", chat=group, reply_to=relayed.message_id)
    await holder.expect("Bien sûr, venez à deux")
    await drained(bot)
    assert not any("bavardage" in m.content for m in bot.api.messages(holder.id))
    assert bot.api.calls_to("createForumTopic") == []


async def test_with_several_dossiers_the_holder_picks_by_button(sqlite_bot: Harness) -> None:
    bot = sqlite_bot
    holder = bot.holder()
    first = await seed_project(bot, owner_id=None)
    second = await seed_project(bot, owner_id=CAMILLE)
    camille = bot.staff("Camille")
    holder.send_text(QUESTION)
    choice = await holder.expect("Pour quel dossier est ce message")
    assert len(choice.buttons) == 2
    holder.press(f"{second.reference} · Bénéfices'Créa", message=choice)
    await holder.expect("est transmis à Camille")
    relayed = await camille.expect(QUESTION)
    assert (second.reference or "") in relayed.content
    holder.press(f"{first.reference} · Bénéfices'Créa", message=choice)  # pressed again: gone
    await holder.expect("n'est plus en attente")
    # A reply to the answer of one dossier is about that dossier: no question asked.
    camille.send_text("Oui", reply_to=relayed.message_id)
    answer = await holder.expect("Oui")
    holder.send_text("Merci !", reply_to=answer.message_id)
    thanks = await camille.expect("Merci !")
    assert (second.reference or "") in thanks.content


@pytest.mark.parametrize("fault", ["429", "500"])
async def test_relayed_photos_survive_429_and_500(sqlite_bot: Harness, fault: str) -> None:
    bot = sqlite_bot
    holder = bot.holder()
    await submit_idea(holder)
    camille = bot.staff("Camille")
    await camille.expect("PES-2026-0001")
    await drained(bot)
    bot.api.inject_fault("copyMessage", fault, times=2)  # type: ignore[arg-type]
    holder.send_photo(caption="mon local")
    await camille.expect("mon local", timeout=10)
    await drained(bot)
    photos = [m for m in bot.api.messages(camille.id) if m.kind == "photo"]
    assert len(photos) == 1 and "mon local" in (photos[0].caption or "")
    assert len(bot.api.calls_to("copyMessage")) == 3
