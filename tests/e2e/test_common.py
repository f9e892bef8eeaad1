"""/start, /aide per role, command menus, unknown input, groups, errors and Telegram faults."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest

from pes21_bot import buttons
from pes21_bot.services import events, intake
from tests.e2e.flows import expect_question, start_path
from tests.harness import Harness


async def test_start_welcomes_with_escaped_name(sqlite_bot: Harness) -> None:
    user = sqlite_bot.api.user(5301, first_name="<b>Zoé & Cie</b>")
    user.send_command("/start")
    welcome = await user.expect("Bienvenue")
    assert welcome.text is not None and welcome.text.startswith("Bonjour <b>Zoé & Cie</b>")
    assert welcome.raw_text is not None and "&lt;b&gt;Zoé &amp; Cie&lt;/b&gt;" in welcome.raw_text
    assert len(welcome.buttons) == 7
    assert await sqlite_bot.count_events(events.BOT_STARTED) == 1


async def test_help_lists_the_commands_of_each_role(sqlite_bot: Harness) -> None:
    holder = sqlite_bot.holder()
    holder.send_command("/aide")
    text = (await holder.expect("Voici ce que vous pouvez")).text or ""
    assert "/suivi" in text and "/mes_donnees" in text
    assert "/dossiers" not in text
    camille = sqlite_bot.staff("Camille")
    camille.send_command("/aide")
    staff_text = (await camille.expect("Voici ce que vous pouvez")).text or ""
    assert "/dossiers" in staff_text and "/orientation_test" in staff_text


async def test_command_menus_are_registered_per_scope(sqlite_bot: Harness) -> None:
    api = sqlite_bot.api
    default = api.get_commands({"type": "default"})
    assert default is not None
    names = [c["command"] for c in default]
    assert "start" in names and "dossiers" not in names
    staff_menu = api.get_commands({"type": "chat", "chat_id": 2001})
    assert staff_menu is not None
    assert "dossiers" in [c["command"] for c in staff_menu]
    admin_menu = api.get_commands({"type": "chat", "chat_id": 1001})
    assert admin_menu is not None
    assert "orientation_test" in [c["command"] for c in admin_menu]


@pytest.mark.parametrize("kind", ["sticker", "photo", "voice"])
async def test_non_text_outside_intake_gets_help(sqlite_bot: Harness, kind: str) -> None:
    holder = sqlite_bot.holder()
    getattr(holder, f"send_{kind}")()
    await holder.expect("Je ne sais lire que des messages écrits")


async def test_group_chat_only_invites_to_write_privately(sqlite_bot: Harness) -> None:
    group = sqlite_bot.api.group(-100123, "Habitant·es du quartier")
    holder = sqlite_bot.holder()
    holder.send_command("/start", chat=group)
    invitation = await group.expect("écrivez-moi en privé")
    assert "@pes21_test_bot" in (invitation.text or "")
    holder.send_text("Bonjour à tous", chat=group)
    holder.send_command("/aide", chat=group)
    await sqlite_bot.settle()
    assert group.unread() == []  # chatter, and a stranger's second command within the hour
    sqlite_bot.clock.advance(timedelta(hours=1))
    holder.send_command("/aide", chat=group)
    await group.expect("écrivez-moi en privé")
    assert len(group.messages) == 2  # one invitation an hour, whatever was typed meanwhile
    assert await sqlite_bot.projects() == []
    assert await sqlite_bot.count_events(events.BOT_STARTED) == 0


async def test_unexpected_error_is_logged_and_explained_in_french(
    sqlite_bot: Harness, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async def broken(*_args: object) -> None:
        raise RuntimeError("database on fire")

    monkeypatch.setattr(intake, "current_draft", broken)
    holder = sqlite_bot.holder()
    with caplog.at_level(logging.ERROR):
        update = holder.send_command("/start")
        reply = await holder.expect("problème technique")
    assert "database on fire" not in (reply.text or "")
    assert any(
        f"update {update['update_id']}" in r.getMessage() and r.exc_info for r in caplog.records
    )


async def test_the_error_handler_survives_its_own_failure(
    sqlite_bot: Harness, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async def broken(*_args: object) -> None:
        raise RuntimeError("database on fire")

    def no_text(*_args: object, **_kwargs: object) -> str:
        raise KeyError("errors.internal")

    monkeypatch.setattr(intake, "current_draft", broken)
    monkeypatch.setattr(sqlite_bot.content, "render", no_text)
    holder = sqlite_bot.holder()
    with caplog.at_level(logging.WARNING):
        holder.send_command("/start")
        await sqlite_bot.settle()
        await sqlite_bot.until(
            lambda: any("could not tell chat" in r.getMessage() for r in caplog.records),
            "the error handler to log its own failure",
        )
    monkeypatch.undo()
    holder.send_command("/aide")  # the bot still answers
    await holder.expect("Voici ce que")


async def test_telegram_500_on_a_reply_keeps_the_answer(sqlite_bot: Harness) -> None:
    holder = sqlite_bot.holder()
    await start_path(holder, "💡 J'ai une idée de projet")
    before = len(sqlite_bot.api.calls_to("sendMessage"))
    sqlite_bot.api.inject_fault("sendMessage", "500", times=5, chat_id=holder.id)
    holder.send_text("Zoé Martin")
    # The next question, then the error handler's apology: Telegram refuses both.
    await sqlite_bot.api.wait_for_call("sendMessage", count=before + 2)
    (project,) = await sqlite_bot.projects()
    assert project.answers == {"name": "Zoé Martin"}  # stored before Telegram failed
    sqlite_bot.api.clear_faults()
    holder.send_command("/start")
    await holder.expect("questionnaire en cours")
    holder.press("▶️ Reprendre")
    again = await expect_question(holder)
    assert "Question 2/" in (again.text or "")


async def test_telegram_429_is_waited_out(sqlite_bot: Harness) -> None:
    holder = sqlite_bot.holder()
    sqlite_bot.api.inject_fault("sendMessage", "429", retry_after=1, chat_id=holder.id)
    holder.send_command("/start")
    await holder.expect("Bienvenue", timeout=10)
    statuses = [
        c.status
        for c in sqlite_bot.api.calls_to("sendMessage")
        if c.params.get("chat_id") == holder.id
    ]
    assert statuses[:2] == [429, 200]


async def test_holder_who_blocked_the_bot_does_not_break_the_claim(sqlite_bot: Harness) -> None:
    from tests.e2e.flows import submit_idea

    holder = sqlite_bot.holder()
    await submit_idea(holder)
    holder.block_bot()
    camille = sqlite_bot.staff("Camille")
    card = await camille.expect("PES-2026-0001")
    press = camille.press("✋ Je prends", message=card)
    assert "est à vous" in await sqlite_bot.button_answer(press)
    await camille.expect("Pris en charge par Camille")
    (project,) = await sqlite_bot.projects()
    assert project.status == "claimed"


async def test_a_forged_press_on_the_persons_own_message_edits_nothing(
    sqlite_bot: Harness,
) -> None:
    # Telegram only sends presses on the bot's messages; a forged one attached to the person's
    # own message must not make the bot try (and fail) to edit a message that is not its own.
    holder = sqlite_bot.holder()
    update = holder.send_text("bonjour")
    await holder.expect("Que souhaitez-vous faire")
    own = update["message"]["message_id"]
    holder.press_raw(buttons.MENU.pack("faq", "-"), own)
    await holder.expect("Choisissez une question")
    edits = [c for c in sqlite_bot.api.calls if c.method.startswith("editMessage")]
    assert [c.status for c in edits if c.status != 200] == []
