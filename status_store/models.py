"""Tables of the status store: applications, their status history and failed lookup attempts.

No column can hold an ID number: verification uses ``id_hmac`` (see :mod:`status_store.privacy`)
and residents are named only by ``masked_name``. Rows are never deleted: a newer export appends
to ``status_history`` and updates the application's current state.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Column, Date, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import declarative_base, relationship

Base = declarative_base()

STATUSES = ("已受理", "审核中", "需补充材料", "已办结", "不予受理")


def _utcnow() -> dt.datetime:
    # Naive UTC: SQLite has no time zones, and both back ends must compare the same way.
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


class Application(Base):
    __tablename__ = "status_applications"

    id = Column(Integer, primary_key=True)
    application_no = Column(String(32), nullable=False, unique=True)
    id_hmac = Column(String(64), nullable=False)
    masked_name = Column(String(40), nullable=False)
    category = Column(String(50), nullable=False)
    status = Column(String(10), nullable=False)
    office = Column(String(100), nullable=False)
    note = Column(Text, nullable=False, default="")
    submitted_at = Column(Date, nullable=False)
    updated_at = Column(Date, nullable=False)
    imported_at = Column(DateTime, nullable=False, default=_utcnow, onupdate=_utcnow)

    history = relationship("StatusHistory", back_populates="application", order_by="StatusHistory.id")


class StatusHistory(Base):
    __tablename__ = "status_history"

    id = Column(Integer, primary_key=True)
    application_id = Column(Integer, ForeignKey("status_applications.id"), nullable=False, index=True)
    status = Column(String(10), nullable=False)
    office = Column(String(100), nullable=False)
    note = Column(Text, nullable=False, default="")
    updated_at = Column(Date, nullable=False)
    recorded_at = Column(DateTime, nullable=False, default=_utcnow)

    application = relationship("Application", back_populates="history")


class LookupAttempt(Base):
    """One failed (or in-flight) lookup, counted against one subject: a conversation, an application
    number or a client, keyed by a scope-prefixed HMAC (never the id itself; status_store.throttle)."""

    __tablename__ = "status_lookup_attempts"

    id = Column(Integer, primary_key=True)
    # The column kept its first name (conversations were the only subject): no schema change.
    key_hmac = Column("conversation_hmac", String(64), nullable=False, index=True)
    attempted_at = Column(DateTime, nullable=False, index=True)
