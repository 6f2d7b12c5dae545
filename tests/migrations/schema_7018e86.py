"""The tables as commit 7018e86 created them with ``create_all``: a frozen copy, so the upgrade test
needs no git history. Copied column for column from ``git show 7018e86:status_store/models.py`` and
``git show 7018e86:console/store.py``; test_baseline.py checks the copy against those files when the
history is there. Never edit this to follow today's models: it is the past.
"""

from sqlalchemy import Boolean, Column, Date, DateTime, Float, ForeignKey, Integer, MetaData, String, Table, Text

STATUS = MetaData()
CONSOLE = MetaData()

Table(
    "status_applications",
    STATUS,
    Column("id", Integer, primary_key=True),
    Column("application_no", String(32), nullable=False, unique=True),
    Column("id_hmac", String(64), nullable=False),
    Column("masked_name", String(40), nullable=False),
    Column("category", String(50), nullable=False),
    Column("status", String(10), nullable=False),
    Column("office", String(100), nullable=False),
    Column("note", Text, nullable=False),
    Column("submitted_at", Date, nullable=False),
    Column("updated_at", Date, nullable=False),
    Column("imported_at", DateTime, nullable=False),
)
Table(
    "status_history",
    STATUS,
    Column("id", Integer, primary_key=True),
    Column("application_id", Integer, ForeignKey("status_applications.id"), nullable=False, index=True),
    Column("status", String(10), nullable=False),
    Column("office", String(100), nullable=False),
    Column("note", Text, nullable=False),
    Column("updated_at", Date, nullable=False),
    Column("recorded_at", DateTime, nullable=False),
)
Table(
    "status_lookup_attempts",
    STATUS,
    Column("id", Integer, primary_key=True),
    Column("conversation_hmac", String(64), nullable=False, index=True),
    Column("attempted_at", DateTime, nullable=False, index=True),
)

Table(
    "staff_users",
    CONSOLE,
    Column("id", Integer, primary_key=True),
    Column("username", String(64), unique=True, nullable=False),
    Column("password_hash", String(255), nullable=False),
    Column("role", String(16), nullable=False),
    Column("active", Boolean, nullable=False),
    Column("created_at", DateTime, nullable=False),
)
Table(
    "handoffs",
    CONSOLE,
    Column("id", Integer, primary_key=True),
    Column("conversation_id", String(128), nullable=False, index=True),
    Column("channel", String(32), nullable=False),
    Column("reason", String(16), nullable=False),
    Column("status", String(16), nullable=False, index=True),
    Column("created_at", DateTime, nullable=False),
    Column("taken_by", String(64)),
    Column("taken_at", DateTime),
    Column("closed_at", DateTime),
)
Table(
    "resident_signals",
    CONSOLE,
    Column("id", Integer, primary_key=True),
    Column("kind", String(16), nullable=False, index=True),
    Column("text", Text, nullable=False),
    Column("intent", String(64)),
    Column("confidence", Float),
    Column("faq_id", String(64), index=True),
    Column("channel", String(32)),
    Column("created_at", DateTime, nullable=False, index=True),
)
Table(
    "audit_log",
    CONSOLE,
    Column("id", Integer, primary_key=True),
    Column("at", DateTime, nullable=False, index=True),
    Column("username", String(64), nullable=False),
    Column("action", String(32), nullable=False),
    Column("target", String(128), nullable=False),
    Column("detail", Text, nullable=False),
)
Table(
    "staff_sessions",
    CONSOLE,
    Column("id", Integer, primary_key=True),
    Column("token_hash", String(64), unique=True, nullable=False),
    Column("user_id", Integer, nullable=False, index=True),
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("last_seen_at", DateTime, nullable=False),
)
Table(
    "staff_login_failures",
    CONSOLE,
    Column("id", Integer, primary_key=True),
    Column("key_hash", String(64), nullable=False, index=True),
    Column("at", DateTime, nullable=False, index=True),
)

METADATA = {"status": STATUS, "console": CONSOLE}
