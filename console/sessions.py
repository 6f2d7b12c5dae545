"""Server-side sessions for the staff console, and the sign-in failure limit.

The browser holds only a random token (HttpOnly cookie); the database holds its SHA-256, the
account, a per-session CSRF token and two times: when the session began (absolute limit) and
when the staff member last did something (idle limit). Background polling does not count as
activity, so a console left open on a queue page still signs itself out.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Optional

from sqlalchemy import delete, func, or_, select

from console.accounts import Staff, active_staff
from console.settings import ConsoleSettings
from console.store import LoginFailure, StaffSession, session_scope, utcnow


@dataclass(frozen=True)
class SignedIn:
    staff: Staff
    csrf_token: str


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def start(staff: Staff) -> tuple[str, str]:
    """A new session for ``staff``: (cookie token, CSRF token). Always new, never reused."""
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    now = utcnow()
    with session_scope() as session:
        session.add(StaffSession(token_hash=_hash(token), user_id=staff.id, csrf_token=csrf, created_at=now,
                                 last_seen_at=now))
    return token, csrf


def resolve(token: str, settings: ConsoleSettings, *, activity: bool = True,
            now: Optional[datetime] = None) -> Optional[SignedIn]:
    """The signed-in staff member for a cookie token, or None (unknown, expired or disabled).

    An expired session is deleted; ``activity`` moves the idle deadline on.
    """
    if not token:
        return None
    now = now or utcnow()
    with session_scope() as session:
        row = session.execute(select(StaffSession).where(StaffSession.token_hash == _hash(token))).scalars().first()
        if row is None:
            return None
        idle = now - row.last_seen_at > timedelta(minutes=settings.idle_minutes)
        too_old = now - row.created_at > timedelta(minutes=settings.absolute_minutes)
        if idle or too_old:
            session.delete(row)
            return None
        if activity:
            row.last_seen_at = now
        user_id, csrf = row.user_id, row.csrf_token
    staff = active_staff(user_id)
    if staff is None:
        end(token)
        return None
    return SignedIn(staff, csrf)


def end(token: str) -> None:
    """Sign out: the session is deleted, so the cookie is worthless even if it was copied."""
    with session_scope() as session:
        session.execute(delete(StaffSession).where(StaffSession.token_hash == _hash(token)))


def purge_expired(settings: ConsoleSettings, now: Optional[datetime] = None) -> None:
    now = now or utcnow()
    idle_before = now - timedelta(minutes=settings.idle_minutes)
    started_before = now - timedelta(minutes=settings.absolute_minutes)
    with session_scope() as session:
        session.execute(
            delete(StaffSession).where(
                or_(StaffSession.last_seen_at < idle_before, StaffSession.created_at < started_before)
            )
        )


def _failure_key(username: str, client: str) -> str:
    return hashlib.sha256(f"{username.strip().lower()}\0{client}".encode("utf-8")).hexdigest()


def login_locked(username: str, client: str, settings: ConsoleSettings, now: Optional[datetime] = None) -> bool:
    """Whether this username has failed to sign in from this address too often lately."""
    since = (now or utcnow()) - timedelta(minutes=settings.login_window_minutes)
    with session_scope() as session:
        count = session.execute(
            select(func.count(LoginFailure.id)).where(
                LoginFailure.key_hash == _failure_key(username, client), LoginFailure.at >= since
            )
        ).scalar_one()
    return count >= settings.login_max_failures


def record_login_failure(username: str, client: str, settings: ConsoleSettings,
                         now: Optional[datetime] = None) -> None:
    now = now or utcnow()
    with session_scope() as session:
        session.add(LoginFailure(key_hash=_failure_key(username, client), at=now))
        # Old rows are useless to the limit; keep the table small.
        keep = timedelta(minutes=max(settings.login_window_minutes, 24 * 60))
        session.execute(delete(LoginFailure).where(LoginFailure.at < now - keep))


def clear_login_failures(username: str, client: str) -> None:
    with session_scope() as session:
        session.execute(delete(LoginFailure).where(LoginFailure.key_hash == _failure_key(username, client)))
