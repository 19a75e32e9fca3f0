"""Feed change journal: which attendees' feeds changed, for every process's cache.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28 07:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "feed_change",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feed_change")),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_feed_change_changed_at", "feed_change", ["changed_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_feed_change_changed_at", table_name="feed_change")
    op.drop_table("feed_change")
