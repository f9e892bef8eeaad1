"""The Pôle's agenda: workshops, trainings and events, and who registered.

Revision ID: 0014
Revises: 0012
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# Revision identifiers, used by Alembic.
revision: str = "0014"
down_revision: str | Sequence[str] | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create agenda_events and agenda_registrations."""
    op.create_table(
        "agenda_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("external_key", sa.String(length=120), nullable=True),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("place", sa.String(length=300), nullable=True),
        sa.Column("details", sa.String(length=1000), nullable=True),
        sa.Column("capacity", sa.Integer(), nullable=True),
        sa.Column("audience", sa.String(length=20), nullable=False),
        sa.Column("run_by_pole", sa.Boolean(), nullable=False),
        sa.Column("partner", sa.String(length=120), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("seats_taken", sa.Integer(), nullable=False),
        sa.Column("walk_ins", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("held_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["people.id"],
            name="fk_agenda_events_created_by_id_people",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_agenda_events"),
        sa.UniqueConstraint("external_key", name="uq_agenda_events_external_key"),
    )
    op.create_index(
        "ix_agenda_events_state_starts_at", "agenda_events", ["state", "starts_at"], unique=False
    )
    op.create_table(
        "agenda_registrations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("position", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["agenda_events.id"],
            name="fk_agenda_registrations_event_id_agenda_events",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name="fk_agenda_registrations_person_id_people",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_agenda_registrations"),
        sa.UniqueConstraint(
            "event_id", "person_id", name="uq_agenda_registrations_event_person"
        ),
    )
    op.create_index(
        "ix_agenda_registrations_event_id", "agenda_registrations", ["event_id"], unique=False
    )


def downgrade() -> None:
    """Drop what upgrade added."""
    op.drop_index("ix_agenda_registrations_event_id", table_name="agenda_registrations")
    op.drop_table("agenda_registrations")
    op.drop_index("ix_agenda_events_state_starts_at", table_name="agenda_events")
    op.drop_table("agenda_events")
