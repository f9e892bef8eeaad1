"""Benchmark: duplicates and false alarms when Telegram answers badly (issue 18).

The bot runs in its own process (scheduled jobs on: the outbox sweep retries) over the HTTP
fake Bot API. Holders fill in an idea up to its recap with Telegram answering well; then a
share of sendMessage/editMessageText calls are answered 429, 500 or only after the client's
read time-out (the call still goes through, as Telegram often does), in equal parts, while the
holders send their dossiers, the staff press "✋ Je prends" on every card they got (one every
half second each), and the holders are told who took their dossier.

Counted over that phase, per (chat, text sent): messages delivered, intended messages and
duplicates (per 100 notifications; target at most 1), the "problème technique" messages shown,
the presses acknowledged too late (refused by Telegram) or never, and the time until every
holder was told of the claim. A run without faults in the same process is the baseline.

    .venv/bin/python -m bench.faults
    .venv/bin/python -m bench.faults --holders 40 --fault-rate 0.2 --slow-s 35
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import random
import re
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.bot_process import spawn_pes21
from bench.common import start_fake
from bench.intake import STEPS, reply_to_step, send_step
from pes21_bot.fake_telegram import ApiResponse, FakeBotApi, FakeUser, FaultKind, UploadedFile

FAULTED = ("sendMessage", "editMessageText")
# A slow answer comes after the read time-out of direct replies (5 s, telegram_http.py); the
# outbox waits 30 s for its sends (jobs/dispatcher.py), so --slow-s 35 goes past that one too.
SLOW_S = 6
KINDS: tuple[FaultKind, ...] = ("429", "500", "slow")
APOLOGY = "problème technique"
CLAIMED = "pris en charge par"
REFERENCE = re.compile(r"PES-\d{4}-\d{4}")
TARGET_PER_100 = 1.0
STEP_TIMEOUT = 120.0
# After the last holder was told: a slow call, then one outbox sweep (15 s) and a margin.
SETTLE_S = 20.0
FIRST_HOLDER = 930_000
# Staff press one card after another, as people do (not beyond the bot's per-chat backlog).
PRESS_EVERY_S = 0.5


@dataclass
class Figures:
    """What one run counted."""

    intended: int
    delivered: int
    duplicates: int
    apologies: int
    late_acks: int
    unanswered_presses: int
    faults: str
    told_s: float

    @property
    def per_100(self) -> float:
        """Duplicates per 100 intended notifications."""
        return 100 * self.duplicates / self.intended if self.intended else float("nan")


class FaultMix:
    """Injects a fault into a share of the matching calls, chosen by a seeded draw."""

    def __init__(self, api: FakeBotApi, rate: float, seed: int, slow_s: int) -> None:
        self.api = api
        self.slow_s = slow_s
        self.rate = 0.0
        self.target_rate = rate
        self.draw = random.Random(seed)
        self.injected: collections.Counter[str] = collections.Counter()
        self._handle = api.handle
        api.handle = self.handle  # type: ignore[method-assign]

    def start(self) -> None:
        """From now on, faults are drawn."""
        self.rate = self.target_rate

    async def handle(
        self,
        token: str,
        method: str,
        params: Mapping[str, Any],
        files: Mapping[str, UploadedFile] | None = None,
    ) -> ApiResponse:
        """The fake's entry point, a fault injected first for this call when drawn."""
        chat_id = params.get("chat_id")
        if method in FAULTED and chat_id is not None and self.draw.random() < self.rate:
            kind = self.draw.choice(KINDS)
            retry_after = self.slow_s if kind == "slow" else 1
            self.injected[kind] += 1
            self.api.inject_fault(method, kind, retry_after=retry_after, chat_id=int(chat_id))
        call = self._handle(token, method, params, files)
        if method not in FAULTED:
            return await call
        # The fake's HTTP server cancels a call whose client hung up; Telegram goes on with it,
        # so a send answered after the time-out still reaches the chat.
        return await asyncio.shield(call)


async def _to_recap(holder: FakeUser) -> None:
    for kind, value in STEPS[:-1]:
        send_step(holder, kind, value)
        await reply_to_step(holder, kind)


async def _cards(api: FakeBotApi, staff: list[FakeUser], references: set[str]) -> None:
    """Until every dossier's card reached someone of the staff."""
    deadline = time.perf_counter() + STEP_TIMEOUT
    while time.perf_counter() < deadline:
        seen = {
            found
            for person in staff
            for message in api.messages(person.id)
            for found in REFERENCE.findall(message.text or "")
        }
        if references <= seen:
            return
        await asyncio.sleep(0.2)
    raise SystemExit(f"cards missing: {sorted(references - seen)}")


async def _press_cards(person: FakeUser, presses: set[str]) -> None:
    """This person presses "✋ Je prends" on each card, at a person's pace."""
    for card in person.messages:
        if "✋ Je prends" in str(card.buttons):
            update = person.press("✋ Je prends", message=card)
            presses.add(str(update["callback_query"]["id"]))
            await asyncio.sleep(PRESS_EVERY_S)


async def _told(holders: list[FakeUser]) -> None:
    deadline = time.perf_counter() + STEP_TIMEOUT
    while time.perf_counter() < deadline:
        if all(any(CLAIMED in (m.text or "") for m in h.messages) for h in holders):
            return
        await asyncio.sleep(0.2)
    raise SystemExit("not every holder was told of the claim")


async def run(holders_count: int, rate: float, seed: int, slow_s: int, folder: Path) -> Figures:
    """One bot process against a fresh fake; faults (at `rate`) from the dossiers' sending on."""
    api, server, base_url, config = await start_fake()
    mix = FaultMix(api, rate, seed, slow_s)
    process = await spawn_pes21(
        base_url, f"sqlite+aiosqlite:///{folder / f'faults-{rate}.db'}", jobs=True
    )
    try:
        await api.wait_for_call("getUpdates", timeout=60)
        holders = [
            api.user(FIRST_HOLDER + n, first_name=f"Porteur{n}") for n in range(holders_count)
        ]
        staff = [api.user(member.id) for member in config.staff]
        await asyncio.gather(*(_to_recap(h) for h in holders))
        first_call = len(api.calls)
        mix.start()
        started = time.perf_counter()
        kind, value = STEPS[-1]
        for holder in holders:
            send_step(holder, kind, value)
        confirmations = await asyncio.gather(*(reply_to_step(h, kind) for h in holders))
        references = {found for m in confirmations for found in REFERENCE.findall(m.text or "")}
        await _cards(api, staff, references)
        await asyncio.sleep(2.0)  # the other staff's copies of the cards
        presses: set[str] = set()
        await asyncio.gather(*(_press_cards(person, presses) for person in staff))
        await _told(holders)
        told_s = time.perf_counter() - started
        await asyncio.sleep(slow_s + SETTLE_S)
    finally:
        process.terminate()
        await process.wait()
        await server.stop()
    faults = "/".join(str(mix.injected[kind]) for kind in KINDS)
    return _count(api, first_call, presses, told_s, faults)


def _count(
    api: FakeBotApi, first_call: int, presses: set[str], told_s: float, faults: str
) -> Figures:
    calls = api.calls[first_call:]
    sent = collections.Counter(
        (str(c.params.get("chat_id")), str(c.params.get("text")))
        for c in calls
        if c.method == "sendMessage" and c.status == 200
    )
    acks = [
        c
        for c in calls
        if c.method == "answerCallbackQuery" and str(c.params.get("callback_query_id")) in presses
    ]
    answered = {str(c.params.get("callback_query_id")) for c in acks if c.status == 200}
    return Figures(
        intended=len(sent),
        delivered=sum(sent.values()),
        duplicates=sum(n - 1 for n in sent.values()),
        apologies=sum(n for (_, text), n in sent.items() if APOLOGY in text),
        late_acks=sum(c.status == 400 for c in acks),
        unanswered_presses=len(presses - answered),
        faults=faults,
        told_s=told_s,
    )


def _report(holders: int, rate: float, slow_s: int, baseline: Figures, faulty: Figures) -> int:
    print(
        f"Faults benchmark: {holders} holders send their dossiers, the staff claim them; "
        f"{rate:.0%} of {'/'.join(FAULTED)} answered 429, 500 or after the read time-out"
    )
    print(f"faults drawn: 429/500/slow (answered after {slow_s} s)")
    print(
        f"{'run':<12}{'faults':>9}{'intended':>9}{'delivered':>10}{'dupl.':>6}{'/100':>6}"
        f"{'alarms':>7}{'late ack':>9}{'no ack':>7}{'told s':>8}{'ratio':>7}"
    )
    ok = True
    for name, f in (("no faults", baseline), ("faults", faulty)):
        ratio = f.told_s / baseline.told_s
        print(
            f"{name:<12}{f.faults:>9}{f.intended:>9}{f.delivered:>10}{f.duplicates:>6}"
            f"{f.per_100:>6.1f}{f.apologies:>7}{f.late_acks:>9}{f.unanswered_presses:>7}"
            f"{f.told_s:>8.1f}{ratio:>7.2f}"
        )
        ok = ok and f.per_100 <= TARGET_PER_100 and f.apologies == 0
    print(
        f"target: at most {TARGET_PER_100:.0f} duplicate per 100 notifications, no false alarm: "
        f"{'OK' if ok else 'NOT MET'}"
    )
    return 0 if ok else 1


async def bench(holders: int, rate: float, seed: int, slow_s: int) -> int:
    """The baseline, then the run with faults; print the table."""
    with tempfile.TemporaryDirectory(prefix="pes21-faults-") as folder:
        baseline = await run(holders, 0.0, seed, slow_s, Path(folder))
        faulty = await run(holders, rate, seed, slow_s, Path(folder))
    return _report(holders, rate, slow_s, baseline, faulty)


def main() -> None:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--holders", type=int, default=8)
    parser.add_argument("--fault-rate", type=float, default=0.2)
    parser.add_argument("--seed", type=int, default=18)
    parser.add_argument("--slow-s", type=int, default=SLOW_S)
    args = parser.parse_args()
    raise SystemExit(asyncio.run(bench(args.holders, args.fault_rate, args.seed, args.slow_s)))


if __name__ == "__main__":
    main()
