"""Which role may do what. One table, read by the routes and the navigation alike.

hotline: policy search, application status, the handoff queue (take over, reply, hand back).
comms: policy search and the report on what residents ask that the assistant cannot answer.
admin: everything, plus the audit log.
"""

from __future__ import annotations

from typing import FrozenSet, Optional

from console.accounts import ADMIN, COMMS, HOTLINE

SEARCH, STATUS, HANDOFF, REPORT, AUDIT = "search", "status", "handoff", "report", "audit"

ROLE_PERMISSIONS = {
    HOTLINE: frozenset({SEARCH, STATUS, HANDOFF}),
    COMMS: frozenset({SEARCH, REPORT}),
    ADMIN: frozenset({SEARCH, STATUS, HANDOFF, REPORT, AUDIT}),
}


def permissions(role: str) -> FrozenSet[str]:
    return ROLE_PERMISSIONS.get(role, frozenset())


def allowed(role: str, permission: Optional[str]) -> bool:
    """``permission`` None means any signed-in staff member."""
    return permission is None or permission in permissions(role)
