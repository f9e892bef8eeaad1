"""Repeated-error alerts are counted per error class and place: a second kind of error in the
same hour alerts too (one kind never hides another), and the alert names the class and place."""

from __future__ import annotations

from datetime import timedelta

import pytest

from pes21_bot.config import Config, Operations
from pes21_bot.handlers import common
from tests.e2e.test_alerts import PHONE, _alerts, _configure, _no_secret, _settled
from tests.harness import Harness

pytestmark = pytest.mark.e2e

failing: list[type[Exception]] = [RuntimeError]
where: list[str] = ["here"]


def fails_here() -> None:
    raise failing[0](f"cannot answer {PHONE}")


def fails_there() -> None:
    raise failing[0](f"cannot answer {PHONE} either")


async def broken_help(*_args: object) -> None:
    (fails_here if where[0] == "here" else fails_there)()


async def test_two_kinds_of_errors_in_the_same_hour_both_alert(
    sqlite_bot: Harness, config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(common, "help_command", broken_help)
    failing[:], where[:] = [RuntimeError], ["here"]
    bot = sqlite_bot
    await _configure(bot, config, operations=Operations(alert_errors_count=5))
    holder = bot.holder()
    admin = bot.admin()

    async def six_failures() -> None:
        for _ in range(6):
            holder.send_command("/aide")
            await holder.expect("")
            bot.clock.advance(timedelta(seconds=20))
        await _settled(bot)

    await six_failures()
    await bot.until(lambda: len(_alerts(admin)) == 1, "the first alert")
    where[0] = "there"  # the same class elsewhere: another kind
    await six_failures()
    await bot.until(lambda: len(_alerts(admin)) == 2, "the alert for the other place")
    failing[0] = ValueError  # another class at that place: another kind again
    await six_failures()
    await bot.until(lambda: len(_alerts(admin)) == 3, "the alert for the other class")
    await six_failures()  # the same kind again within the hour: no new alert
    assert len(_alerts(admin)) == 3

    here, there, value_error = _alerts(admin)
    module = "tests.e2e.test_alerts_per_place"
    assert "RuntimeError" in here and f"{module}.fails_here" in here
    assert "RuntimeError" in there and f"{module}.fails_there" in there
    assert "ValueError" in value_error and f"{module}.fails_there" in value_error
    for alert in (here, there, value_error):
        assert "erreurs répétées" in alert
        _no_secret(bot, alert)
