"""The service desk's tables: the handoff queue and residents' signals.

In the console's database (``CONSOLE_DB_URL``; the embedded default is SQLite), connected the way
every store is (platform_core.db); the tables are made and changed by migrations (migrations/console/).
Texts stored here have passed the channel guard (no ID digits) and are redacted once more.
"""

from __future__ import annotations

from contextlib import contextmanager
from datetime import datetime
from typing import Iterator, Optional

from sqlalchemy import Column, DateTime, Float, Integer, String, Text
from sqlalchemy.orm import Session, declarative_base

from platform_core import db
from platform_core.settings import get_settings

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


def db_url() -> str:
    """CONSOLE_DB_URL (the settings), which the console's own tables share."""
    return get_settings().console_db_url


@contextmanager
def session_scope(url: Optional[str] = None) -> Iterator[Session]:
    """A session for one unit of work: committed if the block succeeds, rolled back otherwise."""
    with db.session_scope(url or db_url(), "console") as session:
        yield session
