"""The answers library's one table: change sets to the FAQ, from submission to publication.

A change set holds one or more entries, each with the values it was made against (``before``
and its ``base_stamp``) and the values proposed (``after``). In CONSOLE_DB_URL with the
console's other tables, under the console store's migrations (migrations/console/).
"""

from __future__ import annotations

import json
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Dict, Iterator, List, Optional

from sqlalchemy import Column, DateTime, Integer, String, Text, select
from sqlalchemy.orm import Session, declarative_base

from console.store import db_url, utcnow
from platform_core import db

Base = declarative_base()

SUBMITTED, RETURNED, APPROVED, PUBLISHED, WITHDRAWN = "submitted", "returned", "approved", "published", "withdrawn"
OPEN = (SUBMITTED, APPROVED)
STATE_LABELS = {
    SUBMITTED: "待审核",
    RETURNED: "已退回",
    APPROVED: "已批准，待发布",
    PUBLISHED: "已发布",
    WITHDRAWN: "已撤回",
}


class FaqChangeSet(Base):
    __tablename__ = "faq_change_sets"
    id = Column(Integer, primary_key=True)
    author = Column(String(64), nullable=False)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    state = Column(String(16), nullable=False, default=SUBMITTED, index=True)
    note = Column(Text, nullable=False, default="")
    changes = Column(Text, nullable=False)  # JSON list of {id, base_stamp, before, after}
    reviewer = Column(String(64))
    review_comment = Column(Text, nullable=False, default="")
    reviewed_at = Column(DateTime)
    publisher = Column(String(64))
    published_version = Column(Integer)
    published_at = Column(DateTime)


@dataclass(frozen=True)
class ChangeSet:
    id: int
    author: str
    created_at: datetime
    state: str
    note: str
    changes: List[Dict[str, Any]]
    reviewer: Optional[str]
    review_comment: str
    reviewed_at: Optional[datetime]
    publisher: Optional[str]
    published_version: Optional[int]

    @property
    def faq_ids(self) -> List[str]:
        return [change["id"] for change in self.changes]


def _view(row: FaqChangeSet) -> ChangeSet:
    return ChangeSet(
        row.id,
        row.author,
        row.created_at,
        row.state,
        row.note,
        json.loads(row.changes),
        row.reviewer,
        row.review_comment,
        row.reviewed_at,
        row.publisher,
        row.published_version,
    )


@contextmanager
def _session() -> Iterator[Session]:
    with db.session_scope(db_url(), "console") as session:
        yield session


def create(author: str, note: str, changes: List[Dict[str, Any]]) -> ChangeSet:
    with _session() as session:
        row = FaqChangeSet(author=author, note=note, changes=json.dumps(changes, ensure_ascii=False))
        session.add(row)
        session.flush()
        return _view(row)


def get(change_id: int) -> Optional[ChangeSet]:
    with _session() as session:
        row = session.get(FaqChangeSet, change_id)
        return _view(row) if row else None


def recent(limit: int = 200) -> List[ChangeSet]:
    with _session() as session:
        query = select(FaqChangeSet).order_by(FaqChangeSet.id.desc()).limit(limit)
        return [_view(row) for row in session.execute(query).scalars()]


def open_sets() -> List[ChangeSet]:
    """Submitted or approved, not yet published: what the library shows as 审核中."""
    with _session() as session:
        query = select(FaqChangeSet).where(FaqChangeSet.state.in_(OPEN)).order_by(FaqChangeSet.id)
        return [_view(row) for row in session.execute(query).scalars()]


def move(change_id: int, expected: str, state: str, **fields: Any) -> Optional[ChangeSet]:
    """Set the state (and ``fields``) only if it is still ``expected``: two reviewers clicking at
    once cannot both approve, nor publish twice. None if it had moved on."""
    with _session() as session:
        row = session.get(FaqChangeSet, change_id, with_for_update=True)
        if row is None or row.state != expected:
            return None
        row.state = state
        for name, value in fields.items():
            setattr(row, name, value)
        return _view(row)
