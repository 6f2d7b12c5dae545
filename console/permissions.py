"""Which role may do what. One table, read by the routes and the navigation alike.

hotline: policy search, application status, the handoff queue (take over, reply, hand back).
comms: policy search, the report on what residents ask that the assistant cannot answer, and the
answers library (edit, check, preview, submit changes for review).
reviewer: policy search and the answers library (approve or send back others' changes, publish,
roll back); the second pair of eyes before an answer reaches residents.
hotline reads the answers library too; admin may do everything, plus the audit log.
"""

from __future__ import annotations

from typing import FrozenSet, Optional

from console.accounts import ADMIN, COMMS, HOTLINE, REVIEWER

SEARCH, STATUS, HANDOFF, REPORT, AUDIT = "search", "status", "handoff", "report", "audit"
ANSWERS, ANSWERS_EDIT, ANSWERS_REVIEW = "answers", "answers_edit", "answers_review"

ROLE_PERMISSIONS = {
    HOTLINE: frozenset({SEARCH, STATUS, HANDOFF, ANSWERS}),
    COMMS: frozenset({SEARCH, REPORT, ANSWERS, ANSWERS_EDIT}),
    REVIEWER: frozenset({SEARCH, ANSWERS, ANSWERS_REVIEW}),
    ADMIN: frozenset({SEARCH, STATUS, HANDOFF, REPORT, AUDIT, ANSWERS, ANSWERS_EDIT, ANSWERS_REVIEW}),
}


def permissions(role: str) -> FrozenSet[str]:
    return ROLE_PERMISSIONS.get(role, frozenset())


def allowed(role: str, permission: Optional[str]) -> bool:
    """``permission`` None means any signed-in staff member."""
    return permission is None or permission in permissions(role)
