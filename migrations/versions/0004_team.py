"""The team by chat (staff invited with a code) and the retention notice of each person.

Revision ID: 0004
Revises: 0002
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# Revision identifiers, used by Alembic.
revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create team_members; add invitations.programmes and people.retention_notice_at."""
    op.create_table(
        "team_members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("telegram_id", sa.BigInteger(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("programmes", sa.JSON(), nullable=False),
        sa.Column("coordinates", sa.JSON(), nullable=False),
        sa.Column("joined_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name="fk_team_members_person_id_people", ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_team_members"),
        sa.UniqueConstraint("telegram_id", name="uq_team_members_telegram_id"),
    )
    with op.batch_alter_table("invitations") as batch:
        batch.add_column(sa.Column("programmes", sa.JSON(), nullable=True))
    with op.batch_alter_table("people") as batch:
        batch.add_column(
            sa.Column("retention_notice_at", sa.DateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    """Drop what upgrade added."""
    with op.batch_alter_table("people") as batch:
        batch.drop_column("retention_notice_at")
    with op.batch_alter_table("invitations") as batch:
        batch.drop_column("programmes")
    op.drop_table("team_members")
