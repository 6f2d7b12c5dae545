"""The console's own tables: staff accounts, the handoff queue, residents' signals and the audit log.

Kept apart from the status store (different owners, different retention), but connected the same
way (status_store.db). ``CONSOLE_DB_URL`` points it elsewhere; the embedded default is SQLite.
Texts stored here have passed the channel guard (no ID digits) and are redacted once more.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from datetime import datetime
from typing import Iterator, Optional

from sqlalchemy import Boolean, Column, DateTime, Float, Integer, String, Text
from sqlalchemy.orm import Session, declarative_base

from status_store.db import get_engine
from status_store.settings import REPO

DEFAULT_DB_URL = f"sqlite:///{REPO / 'var' / 'console.db'}"

Base = declarative_base()

# Handoff reasons and states, as stored.
REQUESTED, GAVE_UP = "requested", "gave_up"
WAITING, ACTIVE, CLOSED = "waiting", "active", "closed"

# Kinds of resident signal: questions the assistant could not answer well, and answer ratings.
LOW_CONFIDENCE, FALLBACK, OUT_OF_SCOPE, NOT_COVERED = "low_confidence", "fallback", "out_of_scope", "not_covered"
USEFUL, NOT_USEFUL = "useful", "not_useful"
UNANSWERED_KINDS = (LOW_CONFIDENCE, FALLBACK, OUT_OF_SCOPE, NOT_COVERED)
RATING_KINDS = (USEFUL, NOT_USEFUL)


def utcnow() -> datetime:
    return datetime.utcnow()


class StaffUser(Base):
    __tablename__ = "staff_users"
    id = Column(Integer, primary_key=True)
    username = Column(String(64), unique=True, nullable=False)
    password_hash = Column(String(255), nullable=False)  # KDF output with its parameters, never the password
    role = Column(String(16), nullable=False)  # hotline / comms / reviewer / admin
    active = Column(Boolean, nullable=False, default=True)
    created_at = Column(DateTime, nullable=False, default=utcnow)


class Handoff(Base):
    """A conversation waiting for (or being served by) a person."""

    __tablename__ = "handoffs"
    id = Column(Integer, primary_key=True)
    conversation_id = Column(String(128), nullable=False, index=True)
    channel = Column(String(32), nullable=False, default="")
    reason = Column(String(16), nullable=False)  # REQUESTED or GAVE_UP
    status = Column(String(16), nullable=False, default=WAITING, index=True)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    taken_by = Column(String(64))
    taken_at = Column(DateTime)
    closed_at = Column(DateTime)


class ResidentSignal(Base):
    """One question the assistant answered badly or not at all, or one 有用/没用 rating."""

    __tablename__ = "resident_signals"
    id = Column(Integer, primary_key=True)
    kind = Column(String(16), nullable=False, index=True)
    text = Column(Text, nullable=False, default="")  # redacted
    intent = Column(String(64))
    confidence = Column(Float)
    faq_id = Column(String(64), index=True)
    channel = Column(String(32))
    created_at = Column(DateTime, nullable=False, default=utcnow, index=True)


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


def db_url() -> str:
    return os.environ.get("CONSOLE_DB_URL") or DEFAULT_DB_URL


@contextmanager
def session_scope(url: Optional[str] = None) -> Iterator[Session]:
    """A session for one unit of work: committed if the block succeeds, rolled back otherwise."""
    engine = get_engine(url or db_url(), Base.metadata)
    with Session(engine, future=True, expire_on_commit=False) as session:
        with session.begin():
            yield session
