"""Benchmark: 600 review reminders fall due at once for 600 volunteers.

The bot's dispatcher sends them through the HTTP fake Bot API, which enforces Telegram's default
flood limits (30 messages/s overall, 1/s per private chat). Prints the messages/s achieved, the
number of 429 answers, the ratio to the 30/s ceiling, and checks every reminder went exactly once.

    .venv/bin/python -m bench.reminders
    .venv/bin/python -m bench.reminders --reminders 300
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from pes21_bot.app import build_application
from pes21_bot.clock import FakeClock
from pes21_bot.db.migrate import upgrade_to_head_async
from pes21_bot.db.models import Person, Project, Reminder, Review, Volunteer
from pes21_bot.db.session import make_engine, make_session_factory
from pes21_bot.fake_telegram import BotMessage, FakeBotApi, FakeBotApiServer, Limits
from pes21_bot.jobs import dispatch_due_reminders
from pes21_bot.runner import ROOT, load_all
from pes21_bot.services import reminders

TOKEN = "123456:BENCH-REMINDERS"
CEILING = 30.0
TARGET_RATIO = 0.9
FIRST_USER_ID = 800_000
STAFF_ID = 2001
NOW = datetime(2026, 6, 10, 8, 0, tzinfo=UTC)  # a Wednesday, 10:00 in Paris


async def _seed(session_factory: Any, count: int) -> None:
    """One claimed project and `count` volunteers, each with a review whose reminder is due."""
    async with session_factory.begin() as session:
        owner = Person(telegram_id=STAFF_ID, role="holder", created_at=NOW, last_seen_at=NOW)
        holder = Person(
            telegram_id=FIRST_USER_ID - 1, role="holder", created_at=NOW, last_seen_at=NOW
        )
        session.add_all([owner, holder])
        await session.flush()
        project = Project(
            reference="PES-2026-0001",
            year=2026,
            seq=1,
            holder_id=holder.id,
            owner_id=owner.id,
            path="idea",
            status="closed",
            programme="benefices_crea",
            answers={"name": "Zoé Martin", "phone": "+33612345678", "email": "zoe@example.org"},
            created_at=NOW,
            updated_at=NOW,
        )
        people = [
            Person(
                telegram_id=FIRST_USER_ID + i,
                first_name=f"Bénévole {i}",
                role="volunteer",
                created_at=NOW,
                last_seen_at=NOW,
            )
            for i in range(count)
        ]
        session.add(project)
        session.add_all(people)
        await session.flush()
        for i, person in enumerate(people):
            session.add(
                Volunteer(
                    person_id=person.id,
                    missions=["reviews"],
                    days=[],
                    setup_done=True,
                    enrolled_at=NOW,
                    last_activity_at=NOW,
                )
            )
            review = Review(
                project_id=project.id,
                assignee_id=person.id,
                number=1 + i % 3,
                due_at=NOW - timedelta(minutes=1),
                state="open",
                details={},
            )
            session.add(review)
            await session.flush()
            reminders.add(
                session,
                reminders.REVIEW_DUE,
                review.due_at,
                recipient_id=person.id,
                project_id=project.id,
                review_id=review.id,
            )


async def run(count: int) -> int:
    """Seed, send, measure, check; returns the exit code."""
    config, content = load_all(ROOT / "config.yaml", ROOT / "contenus")
    api = FakeBotApi(token=TOKEN, bot_username="pes21_bench_bot", limits=Limits())
    server = FakeBotApiServer(api)
    base_url = await server.start()
    arrivals: list[float] = []

    def on_message(message: BotMessage) -> None:
        if not message.edited:
            arrivals.append(time.monotonic())

    api.add_listener(on_message)
    for i in range(count):
        api.user(FIRST_USER_ID + i, first_name=f"Bénévole {i}")
    with tempfile.TemporaryDirectory(prefix="pes21-bench-") as folder:
        url = f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"
        await upgrade_to_head_async(url)
        engine = make_engine(url)
        session_factory = make_session_factory(engine)
        await _seed(session_factory, count)
        app = build_application(
            config,
            content,
            session_factory,
            token=TOKEN,
            base_url=base_url,
            clock=FakeClock(NOW),
        )
        await app.initialize()
        try:
            started = time.monotonic()
            report = await dispatch_due_reminders(app)
            elapsed = time.monotonic() - started
        finally:
            await app.shutdown()
            await server.stop()
        async with session_factory() as session:
            result = await session.execute(
                select(Reminder.state, func.count()).group_by(Reminder.state)
            )
            states = {state: int(n) for state, n in result.all()}
        await engine.dispose()
    sends = api.calls_to("sendMessage")
    too_many = sum(1 for call in sends if call.status == 429)
    per_chat = [len(api.messages(FIRST_USER_ID + i)) for i in range(count)]
    exactly_once = per_chat == [1] * count and states == {"sent": count}
    rate = count / elapsed if elapsed > 0 else 0.0
    span = arrivals[-1] - arrivals[0] if len(arrivals) > 1 else 0.0
    ratio = rate / CEILING
    print(f"reminders due:            {count}")
    print(f"sent by the dispatcher:   {report.sent} in {elapsed:.1f} s")
    print(f"messages/s (whole run):   {rate:.1f}")
    if span > 0:
        print(f"messages/s (first→last):  {(len(arrivals) - 1) / span:.1f}")
    print(f"429 answers:              {too_many}")
    print(f"ratio to the 30/s ceiling: {ratio:.2f} (target ≥ {TARGET_RATIO})")
    print(f"exactly once:             {'yes' if exactly_once else 'NO'} (rows: {states})")
    ok = exactly_once and too_many == 0 and ratio >= TARGET_RATIO
    print("RESULT:", "OK" if ok else "BELOW TARGET")
    return 0 if ok else 1


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reminders", type=int, default=600)
    args = parser.parse_args(argv)
    return asyncio.run(run(args.reminders))


if __name__ == "__main__":
    sys.exit(main())
