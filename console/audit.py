"""The console's audit log: who looked up which application, who replied to which resident.

Entries are written in the same request as the action they record and are never edited. Targets
and details pass through :func:`status_store.redact`, so an ID number typed by mistake never
lands here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import List, Optional

from sqlalchemy import select

from console.store import AuditEntry, session_scope
from platform_core.redaction import redact

# Actions as stored, and how the audit page names them.
ACTIONS = {
    "login": "登录",
    "login_failed": "登录失败",
    "logout": "退出登录",
    "status_lookup": "查询申请进度",
    "take_over": "接管对话",
    "reply": "回复居民",
    "hand_back": "交还助手",
    "faq_submit": "提交问答修改",
    "faq_approve": "批准问答修改",
    "faq_return": "退回问答修改",
    "faq_withdraw": "撤回问答修改",
    "faq_publish": "发布问答新版本",
    "faq_rollback": "回滚问答版本",
}


@dataclass(frozen=True)
class Entry:
    id: int
    at: datetime
    username: str
    action: str
    target: str
    detail: str


def record(username: str, action: str, target: str = "", detail: str = "") -> None:
    with session_scope() as session:
        session.add(
            AuditEntry(username=username[:64], action=action[:32], target=redact(target)[:128], detail=redact(detail))
        )


def recent(limit: int = 200, username: Optional[str] = None, action: Optional[str] = None) -> List[Entry]:
    """Newest first, optionally only one staff member's or one kind of action."""
    query = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit)
    if username:
        query = query.where(AuditEntry.username == username)
    if action:
        query = query.where(AuditEntry.action == action)
    with session_scope() as session:
        return [Entry(r.id, r.at, r.username, r.action, r.target, r.detail) for r in session.execute(query).scalars()]
