"""The handoff queue: conversations where a resident asked for a person or the assistant gave up."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import List, Optional

from sqlalchemy import select

from service_desk.store import ACTIVE, CLOSED, REQUESTED, WAITING, Handoff, session_scope, utcnow


@dataclass(frozen=True)
class QueueItem:
    id: int
    conversation_id: str
    channel: str
    reason: str
    status: str
    created_at: datetime
    taken_by: Optional[str]

    def waiting_seconds(self, now: Optional[datetime] = None) -> int:
        return max(0, int(((now or utcnow()) - self.created_at).total_seconds()))


def _item(row: Handoff) -> QueueItem:
    return QueueItem(row.id, row.conversation_id, row.channel, row.reason, row.status, row.created_at, row.taken_by)


def _open_row(session, conversation_id: str) -> Optional[Handoff]:
    query = select(Handoff).where(Handoff.conversation_id == conversation_id, Handoff.status != CLOSED)
    return session.execute(query.order_by(Handoff.id.desc())).scalars().first()


def open_handoff(conversation_id: str, channel: str, reason: str) -> QueueItem:
    """Queue the conversation; a conversation already in the queue keeps its place."""
    with session_scope() as session:
        row = _open_row(session, conversation_id)
        if row is None:
            row = Handoff(conversation_id=conversation_id, channel=channel or "", reason=reason, status=WAITING)
            session.add(row)
            session.flush()
        return _item(row)


def is_open(conversation_id: str) -> bool:
    """Whether a person has (or is about to take) this conversation."""
    with session_scope() as session:
        return _open_row(session, conversation_id) is not None


def awaits_staff(conversation_id: str) -> bool:
    """Whether the assistant is paused for this conversation: the resident asked, or staff took over."""
    with session_scope() as session:
        row = _open_row(session, conversation_id)
        return row is not None and (row.reason == REQUESTED or row.status == ACTIVE)


def queue() -> List[QueueItem]:
    """Open handoffs, longest waiting first."""
    with session_scope() as session:
        rows = session.execute(
            select(Handoff).where(Handoff.status != CLOSED).order_by(Handoff.created_at, Handoff.id)
        ).scalars()
        return [_item(row) for row in rows]


def get(handoff_id: int) -> Optional[QueueItem]:
    with session_scope() as session:
        row = session.get(Handoff, handoff_id)
        return _item(row) if row else None


def take(handoff_id: int, username: str) -> Optional[QueueItem]:
    """A staff member takes the conversation over (None if it no longer waits)."""
    with session_scope() as session:
        row = session.get(Handoff, handoff_id)
        if row is None or row.status == CLOSED:
            return None
        if row.status == WAITING:
            row.status, row.taken_by, row.taken_at = ACTIVE, username, utcnow()
        return _item(row)


def close(handoff_id: int) -> Optional[QueueItem]:
    """The conversation goes back to the assistant."""
    with session_scope() as session:
        row = session.get(Handoff, handoff_id)
        if row is None:
            return None
        row.status, row.closed_at = CLOSED, utcnow()
        return _item(row)


def withdraw(conversation_id: str) -> bool:
    """The resident no longer wants a person ("算了，就问你吧") while their request still waits:
    it leaves the queue. False when nothing waits, when the assistant gave up (staff were asked to
    look, the resident did not ask), or when staff have taken the conversation (they answer now)."""
    with session_scope() as session:
        row = _open_row(session, conversation_id)
        if row is None or row.status != WAITING or row.reason != REQUESTED:
            return False
        row.status, row.closed_at = CLOSED, utcnow()
        return True


def waiting_ahead(handoff_id: int) -> int:
    """How many open handoffs were queued before this one."""
    with session_scope() as session:
        query = select(Handoff.id).where(Handoff.status != CLOSED, Handoff.id < handoff_id)
        return len(session.execute(query).all())
