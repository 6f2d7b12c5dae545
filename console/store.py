"""The console's own tables: staff accounts, sessions, sign-in failures and the audit log.

In the same database as the service desk's handoff queue and residents' signals
(service_desk/store.py, which owns those), connected the same way (platform_core.db), and with them
under the console store's migrations (migrations/console/). ``CONSOLE_DB_URL`` points it
elsewhere; the embedded default is SQLite.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator, Optional

from sqlalchemy import Boolean, Column, DateTime, Integer, String, Text
from sqlalchemy.orm import Session, declarative_base

from platform_core import db
from service_desk.store import db_url, utcnow

Base = declarative_base()


class StaffUser(Base):
    __tablename__ = "staff_users"
    id = Column(Integer, primary_key=True)
    username = Column(String(64), unique=True, nullable=False)
    password_hash = Column(String(255), nullable=False)  # KDF output with its parameters, never the password
    role = Column(String(16), nullable=False)  # hotline / comms / reviewer / admin
    active = Column(Boolean, nullable=False, default=True)
    created_at = Column(DateTime, nullable=False, default=utcnow)


class AuditEntry(Base):
    """Who did what in the console, and when (status lookups, replies, publishes, logins)."""

    __tablename__ = "audit_log"
    id = Column(Integer, primary_key=True)
    at = Column(DateTime, nullable=False, default=utcnow, index=True)
    username = Column(String(64), nullable=False)
    action = Column(String(32), nullable=False)
    target = Column(String(128), nullable=False, default="")
    detail = Column(Text, nullable=False, default="")


class StaffSession(Base):
    """A signed-in staff member's browser. Only a hash of the cookie's token is stored, so a copy
    of this table cannot be used to sign in."""

    __tablename__ = "staff_sessions"
    id = Column(Integer, primary_key=True)
    token_hash = Column(String(64), unique=True, nullable=False)
    user_id = Column(Integer, nullable=False, index=True)
    csrf_token = Column(String(64), nullable=False)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    last_seen_at = Column(DateTime, nullable=False, default=utcnow)


class LoginFailure(Base):
    """One failed sign-in, keyed by a hash of (username, client address): kept in the database so
    that restarting the web process does not reset the limit."""

    __tablename__ = "staff_login_failures"
    id = Column(Integer, primary_key=True)
    key_hash = Column(String(64), nullable=False, index=True)
    at = Column(DateTime, nullable=False, default=utcnow, index=True)


@contextmanager
def session_scope(url: Optional[str] = None) -> Iterator[Session]:
    """A session for one unit of work: committed if the block succeeds, rolled back otherwise."""
    with db.session_scope(url or db_url(), "console") as session:
        yield session
