"""Volunteers, accompaniments, form drafts, code attempts; reminder and review columns.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26

The new reminders.payload column is NOT NULL: existing rows get '{}' through a temporary server
default, dropped again so the schema matches the models (which set the default in Python).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# Revision identifiers, used by Alembic.
revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create the volunteer and accompaniment tables, add reminder and review columns."""
    op.create_table(
        "code_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("telegram_id", sa.BigInteger(), nullable=False),
        sa.Column("attempted_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_code_attempts"),
    )
    op.create_index("ix_code_attempts_telegram_id", "code_attempts", ["telegram_id"])

    op.create_table(
        "form_drafts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=True),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name="fk_form_drafts_person_id_people", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_form_drafts"),
        sa.UniqueConstraint("person_id", name="uq_form_drafts_person_id"),
    )

    op.create_table(
        "volunteers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("missions", sa.JSON(), nullable=False),
        sa.Column("days", sa.JSON(), nullable=False),
        sa.Column("paused_until", sa.Date(), nullable=True),
        sa.Column("setup_done", sa.Boolean(), nullable=False),
        sa.Column("enrolled_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_activity_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name="fk_volunteers_person_id_people", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_volunteers"),
        sa.UniqueConstraint("person_id", name="uq_volunteers_person_id"),
    )

    op.create_table(
        "accompaniments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=True),
        sa.Column("volunteer_id", sa.Integer(), nullable=True),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.Column("outcome", sa.String(length=30), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name="fk_accompaniments_project_id_projects",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["people.id"], name="fk_accompaniments_staff_id_people", ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["volunteer_id"],
            ["people.id"],
            name="fk_accompaniments_volunteer_id_people",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_accompaniments"),
    )
    op.create_index("ix_accompaniments_project_id", "accompaniments", ["project_id"])

    with op.batch_alter_table("reminders") as batch_op:
        batch_op.add_column(sa.Column("chat_id", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("dedupe_key", sa.String(length=120), nullable=True))
        batch_op.add_column(
            sa.Column("payload", sa.JSON(), nullable=False, server_default=sa.text("'{}'"))
        )
        batch_op.create_unique_constraint("uq_reminders_dedupe_key", ["dedupe_key"])
    with op.batch_alter_table("reminders") as batch_op:
        batch_op.alter_column("payload", server_default=None)

    with op.batch_alter_table("reviews") as batch_op:
        batch_op.add_column(sa.Column("done_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("dla_state", sa.String(length=20), nullable=True))
        batch_op.create_foreign_key(
            "fk_reviews_done_by_id_people", "people", ["done_by_id"], ["id"], ondelete="SET NULL"
        )


def downgrade() -> None:
    """Drop what upgrade added, children before parents."""
    with op.batch_alter_table("reviews") as batch_op:
        batch_op.drop_constraint("fk_reviews_done_by_id_people", type_="foreignkey")
        batch_op.drop_column("dla_state")
        batch_op.drop_column("done_by_id")

    with op.batch_alter_table("reminders") as batch_op:
        batch_op.drop_constraint("uq_reminders_dedupe_key", type_="unique")
        batch_op.drop_column("payload")
        batch_op.drop_column("dedupe_key")
        batch_op.drop_column("chat_id")

    op.drop_table("accompaniments")
    op.drop_table("volunteers")
    op.drop_table("form_drafts")
    op.drop_table("code_attempts")
