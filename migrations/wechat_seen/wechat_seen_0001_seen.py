"""What one Rasa process's WeChat channel has seen (bot/channels/wechat_seen.py, added after 7018e86
in f283708): hashed keys and when each expires.

The same statement the channel ran on every start before migrations, so a file it made is kept.

Revision ID: wechat_seen_0001
Revises:
Create Date: 2026-12-07
"""

from typing import Sequence, Union

from alembic import op

revision: str = "wechat_seen_0001"
down_revision: Union[str, None] = None
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.execute("CREATE TABLE IF NOT EXISTS seen (key TEXT PRIMARY KEY, expires REAL NOT NULL)")


def downgrade() -> None:
    op.drop_table("seen")
