"""Dossiers recorded by staff: who recorded a dossier, and the codes that link it to Telegram.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# Revision identifiers, used by Alembic.
revision: str = "0015"
down_revision: str | Sequence[str] | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add projects.recorded_by_id and create link_codes."""
    with op.batch_alter_table("projects") as batch:
        batch.add_column(sa.Column("recorded_by_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_projects_recorded_by_id_people",
            "people",
            ["recorded_by_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch.create_index("ix_projects_recorded_by_id", ["recorded_by_id"], unique=False)
    op.create_table(
        "link_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=128), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_by_id", sa.Integer(), nullable=True),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["people.id"],
            name="fk_link_codes_created_by_id_people",
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name="fk_link_codes_project_id_projects",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["used_by_id"],
            ["people.id"],
            name="fk_link_codes_used_by_id_people",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_link_codes"),
        sa.UniqueConstraint("code_hash", name="uq_link_codes_code_hash"),
    )
    op.create_index("ix_link_codes_project_id", "link_codes", ["project_id"], unique=False)


def downgrade() -> None:
    """Drop link_codes and projects.recorded_by_id."""
    op.drop_index("ix_link_codes_project_id", table_name="link_codes")
    op.drop_table("link_codes")
    with op.batch_alter_table("projects") as batch:
        batch.drop_index("ix_projects_recorded_by_id")
        batch.drop_constraint("fk_projects_recorded_by_id_people", type_="foreignkey")
        batch.drop_column("recorded_by_id")
