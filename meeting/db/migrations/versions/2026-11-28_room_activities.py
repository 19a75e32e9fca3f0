"""Round-table seats, timed room activities (mentoring rounds, mingle), private group events.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("room_event") as batch:
        batch.add_column(sa.Column("audience", sa.JSON(), nullable=True))
    op.create_table(
        "table_seat",
        sa.Column("parent_session_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("table_session_id", sa.Integer(), nullable=False),
        sa.Column("seated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["parent_session_id"], ["session.id"],
            name=op.f("fk_table_seat_parent_session_id_session"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"],
            name=op.f("fk_table_seat_user_id_user_account"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["table_session_id"], ["session.id"],
            name=op.f("fk_table_seat_table_session_id_session"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("parent_session_id", "user_id", name=op.f("pk_table_seat")),
    )
    op.create_table(
        "room_activity",
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("rounds", sa.Integer(), nullable=False),
        sa.Column("round_minutes", sa.Integer(), nullable=False),
        sa.Column("round_ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("plan", sa.JSON(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"], ["session.id"],
            name=op.f("fk_room_activity_session_id_session"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("session_id", name=op.f("pk_room_activity")),
    )


def downgrade() -> None:
    op.drop_table("room_activity")
    op.drop_table("table_seat")
    with op.batch_alter_table("room_event") as batch:
        batch.drop_column("audience")
