"""Jobs by contract and working time; no "no source" marker stored.

Revision ID: 0011
Revises: 0002
Create Date: 2026-12-01

Data only. A job's old "kind" mixed a contract (CDI, CDD, contrat aidé) with a working time
(temps partiel): it becomes a contract and a working time (unknown when the old kind did not
say it). The menu's "no source" marker '-' stored in projects, people and events becomes NULL
(not restored by the downgrade: NULL is what it always meant).
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

# Revision identifiers, used by Alembic.
revision: str = "0011"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NO_SOURCE = "-"
# Frozen here: the migration must not change when the code's vocabulary does.
LEGACY_KINDS: dict[str, tuple[str, str | None]] = {
    "cdi": ("cdi", None),
    "cdd": ("cdd", None),
    "contrat_aide": ("contrat_aide", None),
    "part_time": ("other", "part_time"),
}

events = sa.table(
    "events", sa.column("id", sa.Integer), sa.column("kind", sa.String), sa.column("data", sa.JSON)
)
accompaniments = sa.table(
    "accompaniments", sa.column("id", sa.Integer), sa.column("details", sa.JSON)
)
reviews = sa.table("reviews", sa.column("id", sa.Integer), sa.column("details", sa.JSON))


def _split(kind: Any) -> tuple[str | None, str | None]:
    return LEGACY_KINDS.get(kind, ("other", None)) if kind else (None, None)


def _job_event(data: dict[str, Any]) -> dict[str, Any]:
    contract, time = _split(data.get("kind"))
    kept = {k: v for k, v in data.items() if k != "kind"}
    return {**kept, "contract": contract, "time": time}


def _job_answers(answers: dict[str, Any]) -> dict[str, Any]:
    if "jobs_kind" not in answers:
        return answers
    contract, time = _split(answers["jobs_kind"])
    kept = {k: v for k, v in answers.items() if k != "jobs_kind"}
    return {**kept, "jobs_contract": contract, "jobs_time": time}


def _rewrite(table: Any, column: str, where: Any, change: Any) -> None:
    bind = op.get_bind()
    rows = bind.execute(sa.select(table.c.id, table.c[column]).where(where)).all()
    for row_id, value in rows:
        new = change(dict(value or {}))
        if new != value:
            bind.execute(sa.update(table).where(table.c.id == row_id).values({column: new}))


def _review_answers(details: dict[str, Any]) -> dict[str, Any]:
    if not isinstance(details.get("answers"), dict):
        return details
    return {**details, "answers": _job_answers(details["answers"])}


def _without_marker(data: dict[str, Any]) -> dict[str, Any]:
    return {**data, "source": None} if data.get("source") == NO_SOURCE else data


def upgrade() -> None:
    """Split the jobs' kind into contract and working time; '-' sources become NULL."""
    for name in ("projects", "people"):
        table = sa.table(name, sa.column("source", sa.String))
        op.execute(sa.update(table).where(table.c.source == NO_SOURCE).values(source=None))
    _rewrite(events, "data", events.c.kind == "jobs_created", _job_event)
    marked = sa.cast(events.c.data, sa.String).like(f'%"{NO_SOURCE}"%')
    _rewrite(events, "data", marked, _without_marker)
    _rewrite(accompaniments, "details", sa.true(), _job_answers)
    _rewrite(reviews, "details", sa.true(), _review_answers)


def _old_kind(contract: Any, time: Any) -> str | None:
    if time == "part_time":
        return "part_time"
    return contract if contract in LEGACY_KINDS else None


def _job_event_back(data: dict[str, Any]) -> dict[str, Any]:
    kept = {k: v for k, v in data.items() if k not in ("contract", "time")}
    return {**kept, "kind": _old_kind(data.get("contract"), data.get("time"))}


def _job_answers_back(answers: dict[str, Any]) -> dict[str, Any]:
    if "jobs_contract" not in answers:
        return answers
    kind = _old_kind(answers.get("jobs_contract"), answers.get("jobs_time"))
    kept = {k: v for k, v in answers.items() if not k.startswith(("jobs_", "jobs2_", "jobs3_"))}
    return {**kept, "jobs_count": answers.get("jobs_count"), "jobs_kind": kind}


def _review_answers_back(details: dict[str, Any]) -> dict[str, Any]:
    if not isinstance(details.get("answers"), dict):
        return details
    return {**details, "answers": _job_answers_back(details["answers"])}


def downgrade() -> None:
    """One kind per job again (the first line's; part time wins over the contract)."""
    _rewrite(events, "data", events.c.kind == "jobs_created", _job_event_back)
    _rewrite(accompaniments, "details", sa.true(), _job_answers_back)
    _rewrite(reviews, "details", sa.true(), _review_answers_back)
