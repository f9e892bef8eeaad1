"""Alerts reach the admins in French, at most once per kind per hour, without personal data."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import pytest

from pes21_bot.config import Config, Operations
from pes21_bot.fake_telegram import FakeGroup, FakeUser
from pes21_bot.handlers import common
from pes21_bot.jobs.backup import daily_backup
from pes21_bot.services import reminders
from tests.e2e.flows import submit_idea
from tests.harness import Harness
from tests.volunteers.helpers import CAMILLE, dispatch, stop_jobs

pytestmark = pytest.mark.e2e

PHONE = "+33612345678"


async def _configure(bot: Harness, config: Config, **changes: object) -> None:
    bot.config = config.model_copy(update=changes)
    await bot.restart()
    stop_jobs(bot)


def _alerts(chat: FakeUser | FakeGroup) -> list[str]:
    return [m.text or "" for m in chat.messages if "⚠️" in (m.text or "")]


def _no_secret(bot: Harness, text: str) -> None:
    assert bot.api.token not in text
    assert bot.api.token.split(":")[1] not in text
    for personal in (PHONE, "Zoé", "Martin", "zoe@example.org"):
        assert personal not in text


async def _settled(bot: Harness) -> None:
    """Let alert tasks scheduled from log records finish their sends."""
    await asyncio.sleep(0)
    await bot.settle()
    await asyncio.sleep(0)


async def test_repeated_errors_alert_once_an_hour(
    sqlite_bot: Harness, config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Six failures of /aide in a few minutes: one alert naming the error class, not its text."""

    async def broken_help(*_args: object) -> None:
        raise RuntimeError(f"cannot answer {PHONE}")

    monkeypatch.setattr(common, "help_command", broken_help)
    bot = sqlite_bot
    await _configure(bot, config, operations=Operations(alert_errors_count=5))
    holder = bot.holder()
    admin = bot.admin()
    for _ in range(5):
        holder.send_command("/aide")
        await holder.expect("")
        bot.clock.advance(timedelta(seconds=30))
    await _settled(bot)
    assert _alerts(admin) == []  # five is the limit, not yet over it
    holder.send_command("/aide")
    await holder.expect("")
    await bot.until(lambda: bool(_alerts(admin)), "the errors alert")
    (alert,) = _alerts(admin)
    assert "erreurs répétées" in alert and "RuntimeError" in alert and "6" in alert
    _no_secret(bot, alert)

    for _ in range(3):  # still failing: no second alert within the hour
        holder.send_command("/aide")
        await holder.expect("")
    await _settled(bot)
    assert len(_alerts(admin)) == 1

    bot.clock.advance(timedelta(minutes=61))
    for _ in range(6):
        holder.send_command("/aide")
        await holder.expect("")
    await bot.until(lambda: len(_alerts(admin)) == 2, "the next hour's alert")


async def test_failed_backup_alerts_the_admins_once_an_hour(
    sqlite_bot: Harness, config: Config, tmp_path: Path
) -> None:
    """The backup folder cannot be created: the admins are told in French, once per hour."""
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    bot = sqlite_bot
    await _configure(bot, config, operations=Operations(backup_dir=str(blocker / "sauvegardes")))
    assert bot.app is not None
    assert await daily_backup(bot.app) is None
    admin = bot.admin()
    await bot.until(lambda: bool(_alerts(admin)), "the backup alert")
    assert "sauvegarde quotidienne a échoué" in _alerts(admin)[0]
    _no_secret(bot, _alerts(admin)[0])
    assert await daily_backup(bot.app) is None
    await _settled(bot)
    assert len(_alerts(admin)) == 1
    bot.clock.advance(timedelta(hours=1, minutes=1))
    assert await daily_backup(bot.app) is None
    await bot.until(lambda: len(_alerts(admin)) == 2, "the next hour's alert")


async def test_reminder_given_up_alerts_the_alert_chat(sqlite_bot: Harness, config: Config) -> None:
    """A reminder Telegram keeps refusing is given up; the configured alert chat is told."""
    bot = sqlite_bot
    board = bot.api.group(-1001, "Admins")
    reminders_settings = config.reminders.model_copy(update={"max_attempts": 2})
    await _configure(
        bot,
        config,
        reminders=reminders_settings,
        operations=Operations(alerts_chat_id=board.chat_id),
    )
    async with bot.session_factory.begin() as session:
        reminders.add(session, reminders.DIGEST, bot.clock.now(), chat_id=CAMILLE)
    bot.api.inject_fault("sendMessage", "500", times=2, chat_id=CAMILLE)
    await dispatch(bot)
    await _settled(bot)
    assert _alerts(board) == []  # one failure: retried later
    bot.clock.advance(timedelta(hours=1))
    await dispatch(bot)
    await bot.until(lambda: bool(_alerts(board)), "the reminder alert")
    (alert,) = _alerts(board)
    assert "relance n'a pas pu être envoyée" in alert and "2 essais" in alert
    assert _alerts(bot.admin()) == []  # the alert chat replaces the admins' private chats


async def test_undeliverable_card_alerts_the_admins(sqlite_bot: Harness, config: Config) -> None:
    """Camille blocked the bot: the new project's card cannot reach her, the admins know."""
    bot = sqlite_bot
    bot.staff("Camille").block_bot()
    await submit_idea(bot.holder())
    admin = bot.admin()
    await bot.until(lambda: bool(_alerts(admin)), "the card alert")
    (alert,) = _alerts(admin)
    (project,) = await bot.projects()
    assert project.reference is not None and project.reference in alert
    assert "Camille" in alert and "t.me/pes21_test_bot" in alert  # who must open the bot
    _no_secret(bot, alert)
