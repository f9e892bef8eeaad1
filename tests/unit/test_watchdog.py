"""The watchdog thread: a stuck bot is ended (and marked), so is a stop that takes too long."""

from __future__ import annotations

from pathlib import Path

from pes21_bot.config import Config
from pes21_bot.heartbeat import POLLING, REMINDERS
from pes21_bot.watchdog import MARKER, STALL_EXIT, STOP_DEADLINE, Watchdog, limits, take_mark


class Process:
    """What the watchdog sees of the bot: a clock, whether it runs, how it ended."""

    def __init__(self) -> None:
        self.moment = 0.0
        self.running = True
        self.exits: list[int] = []


def watchdog(folder: Path, process: Process) -> Watchdog:
    return Watchdog(
        folder,
        {POLLING: 300.0, REMINDERS: 300.0},
        lambda: process.running,
        now=lambda: process.moment,
        exit=process.exits.append,
    )


def test_a_beating_bot_is_left_alone_and_a_stuck_one_ended_and_marked(tmp_path: Path) -> None:
    process = Process()
    dog = watchdog(tmp_path, process)
    for _ in range(10):
        process.moment += 60
        dog.beat(POLLING)
        dog.beat(REMINDERS)
        assert not dog.check()
    process.moment += 200
    dog.beat(REMINDERS)  # the reminder job goes on, the polling loop is stuck
    process.moment += 150
    assert dog.check()
    assert process.exits == [STALL_EXIT]
    assert (tmp_path / MARKER).exists()
    assert take_mark(tmp_path) == 5  # minutes without a beat, for the admins' alert
    assert take_mark(tmp_path) is None  # reported once


def test_a_stop_that_takes_too_long_is_ended(tmp_path: Path) -> None:
    process = Process()
    dog = watchdog(tmp_path, process)
    assert not dog.check()
    process.running = False  # SIGTERM: the application is stopping
    assert not dog.check()
    process.moment += STOP_DEADLINE / 2
    assert not dog.check()
    process.moment += STOP_DEADLINE
    assert dog.check()
    assert process.exits == [0]
    assert not (tmp_path / MARKER).exists()  # not a stall: nothing to report


def test_limits_follow_config(config: Config) -> None:
    found = limits(config)
    assert found[POLLING] == config.fairness.watchdog_minutes * 60
    assert found[REMINDERS] >= found[POLLING]
