"""The answers library's change sets (console/faq_store.py, added after 7018e86 in a3b4e7c).

``create_all`` made this table on first use until this revision; a database that has it keeps it.

Revision ID: console_0002
Revises: console_0001
Create Date: 2026-12-07
"""

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "console_0002"
down_revision: Union[str, None] = "console_0001"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    if sa.inspect(op.get_bind()).has_table("faq_change_sets"):
        return
    op.create_table(
        "faq_change_sets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("author", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("changes", sa.Text(), nullable=False),
        sa.Column("reviewer", sa.String(length=64), nullable=True),
        sa.Column("review_comment", sa.Text(), nullable=False),
        sa.Column("reviewed_at", sa.DateTime(), nullable=True),
        sa.Column("publisher", sa.String(length=64), nullable=True),
        sa.Column("published_version", sa.Integer(), nullable=True),
        sa.Column("published_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_faq_change_sets_state", "faq_change_sets", ["state"], unique=False)


def downgrade() -> None:
    op.drop_table("faq_change_sets")
