"""The console store as commit 7018e86 created it: staff accounts, sessions, sign-in failures, the
audit log, the handoff queue and residents' signals (then all in console/store.py).

Before migrations, ``create_all`` made these tables on first use, and after the service desk's
tables moved to service_desk/store.py the two halves were made separately: a database may hold
some of them. Each table that exists is kept (none changed between 7018e86 and this revision);
each that is missing is created.

Revision ID: console_0001
Revises:
Create Date: 2026-12-07
"""

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "console_0001"
down_revision: Union[str, None] = None
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def _missing(table: str) -> bool:
    return not sa.inspect(op.get_bind()).has_table(table)


def upgrade() -> None:
    if _missing("audit_log"):
        op.create_table(
            "audit_log",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("at", sa.DateTime(), nullable=False),
            sa.Column("username", sa.String(length=64), nullable=False),
            sa.Column("action", sa.String(length=32), nullable=False),
            sa.Column("target", sa.String(length=128), nullable=False),
            sa.Column("detail", sa.Text(), nullable=False),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index("ix_audit_log_at", "audit_log", ["at"], unique=False)
    if _missing("handoffs"):
        op.create_table(
            "handoffs",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("conversation_id", sa.String(length=128), nullable=False),
            sa.Column("channel", sa.String(length=32), nullable=False),
            sa.Column("reason", sa.String(length=16), nullable=False),
            sa.Column("status", sa.String(length=16), nullable=False),
            sa.Column("created_at", sa.DateTime(), nullable=False),
            sa.Column("taken_by", sa.String(length=64), nullable=True),
            sa.Column("taken_at", sa.DateTime(), nullable=True),
            sa.Column("closed_at", sa.DateTime(), nullable=True),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index("ix_handoffs_conversation_id", "handoffs", ["conversation_id"], unique=False)
        op.create_index("ix_handoffs_status", "handoffs", ["status"], unique=False)
    if _missing("resident_signals"):
        op.create_table(
            "resident_signals",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("kind", sa.String(length=16), nullable=False),
            sa.Column("text", sa.Text(), nullable=False),
            sa.Column("intent", sa.String(length=64), nullable=True),
            sa.Column("confidence", sa.Float(), nullable=True),
            sa.Column("faq_id", sa.String(length=64), nullable=True),
            sa.Column("channel", sa.String(length=32), nullable=True),
            sa.Column("created_at", sa.DateTime(), nullable=False),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index("ix_resident_signals_created_at", "resident_signals", ["created_at"], unique=False)
        op.create_index("ix_resident_signals_faq_id", "resident_signals", ["faq_id"], unique=False)
        op.create_index("ix_resident_signals_kind", "resident_signals", ["kind"], unique=False)
    if _missing("staff_login_failures"):
        op.create_table(
            "staff_login_failures",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("key_hash", sa.String(length=64), nullable=False),
            sa.Column("at", sa.DateTime(), nullable=False),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index("ix_staff_login_failures_at", "staff_login_failures", ["at"], unique=False)
        op.create_index("ix_staff_login_failures_key_hash", "staff_login_failures", ["key_hash"], unique=False)
    if _missing("staff_sessions"):
        op.create_table(
            "staff_sessions",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("token_hash", sa.String(length=64), nullable=False),
            sa.Column("user_id", sa.Integer(), nullable=False),
            sa.Column("csrf_token", sa.String(length=64), nullable=False),
            sa.Column("created_at", sa.DateTime(), nullable=False),
            sa.Column("last_seen_at", sa.DateTime(), nullable=False),
            sa.PrimaryKeyConstraint("id"),
            sa.UniqueConstraint("token_hash"),
        )
        op.create_index("ix_staff_sessions_user_id", "staff_sessions", ["user_id"], unique=False)
    if _missing("staff_users"):
        op.create_table(
            "staff_users",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("username", sa.String(length=64), nullable=False),
            sa.Column("password_hash", sa.String(length=255), nullable=False),
            sa.Column("role", sa.String(length=16), nullable=False),
            sa.Column("active", sa.Boolean(), nullable=False),
            sa.Column("created_at", sa.DateTime(), nullable=False),
            sa.PrimaryKeyConstraint("id"),
            sa.UniqueConstraint("username"),
        )


def downgrade() -> None:
    for table in ("staff_users", "staff_sessions", "staff_login_failures", "resident_signals", "handoffs", "audit_log"):
        op.drop_table(table)
