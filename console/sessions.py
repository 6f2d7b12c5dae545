"""Server-side sessions for the staff console, and the sign-in limits.

The browser holds only a random token (HttpOnly cookie); the database holds its SHA-256, the
account, a per-session CSRF token and two times: when the session began (absolute limit) and
when the staff member last did something (idle limit). Background polling does not count as
activity, so a console left open on a queue page still signs itself out.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import List, Optional, Tuple

from sqlalchemy import delete, func, or_, select

from console.accounts import Staff, active_staff
from console.store import LoginFailure, StaffSession, session_scope, utcnow
from platform_core.settings import ConsoleSettings

logger = logging.getLogger(__name__)


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
        session.add(
            StaffSession(token_hash=_hash(token), user_id=staff.id, csrf_token=csrf, created_at=now, last_seen_at=now)
        )
    return token, csrf


def resolve(
    token: str, settings: ConsoleSettings, *, activity: bool = True, now: Optional[datetime] = None
) -> Optional[SignedIn]:
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


def _keys(username: str, client: str, settings: ConsoleSettings) -> List[Tuple[str, int]]:
    """(key hash, limit) of each limit a sign-in counts against: the account from this address,
    this address for any account, and the account from anywhere."""
    name = username.strip().lower()
    scoped = [
        (f"pair\0{name}\0{client}", settings.login_max_failures),
        (f"address\0{client}", settings.login_max_per_address),
        (f"account\0{name}", settings.login_max_per_account),
    ]
    return [(hashlib.sha256(key.encode("utf-8")).hexdigest(), limit) for key, limit in scoped]


@dataclass(frozen=True)
class LoginAttempt:
    """A sign-in recorded before its password is checked (its rows count as failures meanwhile)."""

    username: str
    client: str
    row_ids: Tuple[int, ...]


def begin_login(
    username: str, client: str, settings: ConsoleSettings, now: Optional[datetime] = None
) -> Optional[LoginAttempt]:
    """Record this attempt under every limit, then count: None (the attempt taken back) when a limit
    is passed. Recording first, in its own transaction, means attempts made in parallel count each
    other: however many arrive at once, no more than a limit's worth get their password checked."""
    now = now or utcnow()
    keys = _keys(username, client, settings)
    with session_scope() as session:
        rows = [LoginFailure(key_hash=key, at=now) for key, _ in keys]
        session.add_all(rows)
        session.flush()
        attempt = LoginAttempt(username, client, tuple(row.id for row in rows))
    since = now - timedelta(minutes=settings.login_window_minutes)
    with session_scope() as session:
        counts = {
            key: session.execute(
                select(func.count(LoginFailure.id)).where(LoginFailure.key_hash == key, LoginFailure.at >= since)
            ).scalar_one()
            for key, _ in keys
        }
    passed = [index for index, (key, limit) in enumerate(keys) if counts[key] > limit]
    if passed:
        _take_back(attempt)
        if 2 in passed:
            # "告警" is what the operators' log alerting matches on; never the username itself.
            logger.warning(
                "告警：坐席账号 #%s 在 %d 分钟内登录失败超过 %d 次（多个地址），该账号登录暂停",
                keys[2][0][:8],
                settings.login_window_minutes,
                settings.login_max_per_account,
            )
        return None
    return attempt


def login_failed(attempt: LoginAttempt, settings: ConsoleSettings, now: Optional[datetime] = None) -> None:
    """The password was wrong: the attempt's rows stay, as failures. Rows older than any window go."""
    keep = timedelta(minutes=max(settings.login_window_minutes, 24 * 60))
    with session_scope() as session:
        session.execute(delete(LoginFailure).where(LoginFailure.at < (now or utcnow()) - keep))


def login_succeeded(attempt: LoginAttempt, settings: ConsoleSettings) -> None:
    """Signed in: the attempt is taken back, and so are this account's failures from this address
    (a typo earlier); the counts per address and per account are left, so one valid sign-in cannot
    reset a guess at other accounts."""
    _take_back(attempt)
    pair_key, _ = _keys(attempt.username, attempt.client, settings)[0]
    with session_scope() as session:
        session.execute(delete(LoginFailure).where(LoginFailure.key_hash == pair_key))


def _take_back(attempt: LoginAttempt) -> None:
    with session_scope() as session:
        session.execute(delete(LoginFailure).where(LoginFailure.id.in_(attempt.row_ids)))
