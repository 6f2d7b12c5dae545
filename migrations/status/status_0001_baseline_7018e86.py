"""The status store as commit 7018e86 created it: applications, their history, lookup attempts.

Before migrations, ``create_all`` made these tables on first use; a database that already has
one keeps it (the models did not change it between 7018e86 and this revision), so this revision
adopts such a database as well as building an empty one.

Revision ID: status_0001
Revises:
Create Date: 2026-12-07
"""

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "status_0001"
down_revision: Union[str, None] = None
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def _missing(table: str) -> bool:
    return not sa.inspect(op.get_bind()).has_table(table)


def upgrade() -> None:
    if _missing("status_applications"):
        op.create_table(
            "status_applications",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("application_no", sa.String(length=32), nullable=False),
            sa.Column("id_hmac", sa.String(length=64), nullable=False),
            sa.Column("masked_name", sa.String(length=40), nullable=False),
            sa.Column("category", sa.String(length=50), nullable=False),
            sa.Column("status", sa.String(length=10), nullable=False),
            sa.Column("office", sa.String(length=100), nullable=False),
            sa.Column("note", sa.Text(), nullable=False),
            sa.Column("submitted_at", sa.Date(), nullable=False),
            sa.Column("updated_at", sa.Date(), nullable=False),
            sa.Column("imported_at", sa.DateTime(), nullable=False),
            sa.PrimaryKeyConstraint("id"),
            sa.UniqueConstraint("application_no"),
        )
    if _missing("status_lookup_attempts"):
        op.create_table(
            "status_lookup_attempts",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("conversation_hmac", sa.String(length=64), nullable=False),
            sa.Column("attempted_at", sa.DateTime(), nullable=False),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index(
            "ix_status_lookup_attempts_attempted_at", "status_lookup_attempts", ["attempted_at"], unique=False
        )
        op.create_index(
            "ix_status_lookup_attempts_conversation_hmac", "status_lookup_attempts", ["conversation_hmac"], unique=False
        )
    if _missing("status_history"):
        op.create_table(
            "status_history",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("application_id", sa.Integer(), nullable=False),
            sa.Column("status", sa.String(length=10), nullable=False),
            sa.Column("office", sa.String(length=100), nullable=False),
            sa.Column("note", sa.Text(), nullable=False),
            sa.Column("updated_at", sa.Date(), nullable=False),
            sa.Column("recorded_at", sa.DateTime(), nullable=False),
            sa.ForeignKeyConstraint(["application_id"], ["status_applications.id"]),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index("ix_status_history_application_id", "status_history", ["application_id"], unique=False)


def downgrade() -> None:
    op.drop_table("status_history")
    op.drop_table("status_lookup_attempts")
    op.drop_table("status_applications")
