"""Orientations proposed by welcoming volunteers, decided by the programme's staff.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# Revision identifiers, used by Alembic.
revision: str = "0012"
down_revision: str | Sequence[str] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create the orientation_proposals table."""
    op.create_table(
        "orientation_proposals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("volunteer_id", sa.Integer(), nullable=True),
        sa.Column("choice", sa.String(length=20), nullable=False),
        sa.Column("programme", sa.String(length=40), nullable=True),
        sa.Column("reason", sa.String(length=30), nullable=True),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name="fk_orientation_proposals_project_id_projects",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["volunteer_id"],
            ["people.id"],
            name="fk_orientation_proposals_volunteer_id_people",
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["people.id"],
            name="fk_orientation_proposals_decided_by_id_people",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_orientation_proposals"),
    )
    op.create_index(
        "ix_orientation_proposals_project_id", "orientation_proposals", ["project_id"]
    )


def downgrade() -> None:
    """Drop the orientation_proposals table."""
    op.drop_index("ix_orientation_proposals_project_id", table_name="orientation_proposals")
    op.drop_table("orientation_proposals")
