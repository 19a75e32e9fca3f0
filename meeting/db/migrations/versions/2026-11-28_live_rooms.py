"""Live rooms: numbered event log, questions and upvotes, polls and ballots, mutes.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def _fk(column: str, table: str, name: str, ondelete: str = "CASCADE") -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f"{table}.id"], name=op.f(name), ondelete=ondelete)


def upgrade() -> None:
    op.create_table(
        "room_counter",
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("last_seq", sa.Integer(), nullable=False),
        _fk("session_id", "session", "fk_room_counter_session_id_session"),
        sa.PrimaryKeyConstraint("session_id", name=op.f("pk_room_counter")),
    )
    op.create_table(
        "room_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(length=32), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("hidden", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _fk("session_id", "session", "fk_room_event_session_id_session"),
        _fk("user_id", "user_account", "fk_room_event_user_id_user_account", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_room_event")),
        sa.UniqueConstraint("session_id", "seq", name=op.f("uq_room_event_session_id")),
    )
    op.create_table(
        "question",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.String(length=1000), nullable=False),
        sa.Column("votes", sa.Integer(), nullable=False),
        sa.Column("pinned", sa.Boolean(), nullable=False),
        sa.Column("answered", sa.Boolean(), nullable=False),
        sa.Column("dismissed", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _fk("session_id", "session", "fk_question_session_id_session"),
        _fk("user_id", "user_account", "fk_question_user_id_user_account"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_question")),
    )
    op.create_table(
        "upvote",
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        _fk("question_id", "question", "fk_upvote_question_id_question"),
        _fk("user_id", "user_account", "fk_upvote_user_id_user_account"),
        sa.PrimaryKeyConstraint("question_id", "user_id", name=op.f("pk_upvote")),
    )
    op.create_table(
        "poll",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("question", sa.String(length=300), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("is_open", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        _fk("session_id", "session", "fk_poll_session_id_session"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_poll")),
    )
    op.create_table(
        "ballot",
        sa.Column("poll_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("option", sa.Integer(), nullable=False),
        _fk("poll_id", "poll", "fk_ballot_poll_id_poll"),
        _fk("user_id", "user_account", "fk_ballot_user_id_user_account"),
        sa.PrimaryKeyConstraint("poll_id", "user_id", name=op.f("pk_ballot")),
    )
    op.create_table(
        "mute",
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _fk("session_id", "session", "fk_mute_session_id_session"),
        _fk("user_id", "user_account", "fk_mute_user_id_user_account"),
        sa.PrimaryKeyConstraint("session_id", "user_id", name=op.f("pk_mute")),
    )


def downgrade() -> None:
    for table in ("mute", "ballot", "poll", "upvote", "question", "room_event", "room_counter"):
        op.drop_table(table)
