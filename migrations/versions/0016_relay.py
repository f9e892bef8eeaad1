"""The relay between holders and the team: a dossier's forum topic, and the relayed messages.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# Revision identifiers, used by Alembic.
revision: str = "0016"
down_revision: str | Sequence[str] | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add projects.topic_id, projects.topic_chat_id and relay_links."""
    with op.batch_alter_table("projects") as batch:
        batch.add_column(sa.Column("topic_id", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("topic_chat_id", sa.BigInteger(), nullable=True))
    op.create_table(
        "relay_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("message_id", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["project_id"], ["projects.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("chat_id", "message_id", name="uq_relay_links_message"),
    )
    op.create_index("ix_relay_links_project_id", "relay_links", ["project_id"])


def downgrade() -> None:
    """Drop them."""
    op.drop_index("ix_relay_links_project_id", table_name="relay_links")
    op.drop_table("relay_links")
    with op.batch_alter_table("projects") as batch:
        batch.drop_column("topic_chat_id")
        batch.drop_column("topic_id")
