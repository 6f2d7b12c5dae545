"""Staff accounts: roles, password hashing and verification.

Passwords are hashed with scrypt (memory-hard; in the standard library, so no new dependency).
The stored value carries its own salt and cost parameters, so the cost can be raised later
without invalidating existing hashes. Nothing here logs or returns a password.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Optional

from sqlalchemy import select

from console.store import StaffUser, session_scope

HOTLINE, COMMS, REVIEWER, ADMIN = "hotline", "comms", "reviewer", "admin"
ROLES = {HOTLINE: "热线坐席", COMMS: "宣传/运营", REVIEWER: "审核人", ADMIN: "管理员"}
MIN_PASSWORD_CHARS = 10
MAX_USERNAME_CHARS = 64

# scrypt cost: N=2^15, r=8 → 32 MiB and roughly 0.1 s per hash.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1
_SALT_BYTES, _KEY_BYTES = 16, 32
_SCHEME = "scrypt"


class AccountError(ValueError):
    """A request the accounts module refuses; the message is Chinese and never holds the password."""


@dataclass(frozen=True)
class Staff:
    """A signed-in (or about to be) staff member, as the console sees them."""

    id: int
    username: str
    role: str


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    # maxmem above the 128 * n * r bytes scrypt needs (OpenSSL's default cap is 32 MiB).
    return hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=256 * n * r, dklen=_KEY_BYTES)


def hash_password(password: str, *, n: int = SCRYPT_N, r: int = SCRYPT_R, p: int = SCRYPT_P) -> str:
    """``scrypt$n=…,r=…,p=…$salt$hash`` (salt and hash base64) for ``password``."""
    salt = secrets.token_bytes(_SALT_BYTES)
    return f"{_SCHEME}$n={n},r={r},p={p}${_b64(salt)}${_b64(_scrypt(password, salt, n, r, p))}"


def verify_password(password: str, stored: str) -> bool:
    """Whether ``password`` matches ``stored`` (constant-time compare; False for a malformed hash)."""
    try:
        scheme, params, salt, expected = stored.split("$")
        cost = dict(item.split("=") for item in params.split(","))
        n, r, p = int(cost["n"]), int(cost["r"]), int(cost["p"])
        salt_bytes, expected_bytes = base64.b64decode(salt), base64.b64decode(expected)
    except (ValueError, KeyError):
        return False
    if scheme != _SCHEME:
        return False
    return hmac.compare_digest(_scrypt(password, salt_bytes, n, r, p), expected_bytes)


# Verified against when the username is unknown, so a wrong name costs as much as a wrong password.
_DUMMY_HASH = hash_password(secrets.token_hex(16))


def check_new_password(username: str, password: str) -> None:
    """Raise :class:`AccountError` for a password too weak to accept."""
    if len(password) < MIN_PASSWORD_CHARS:
        raise AccountError(f"密码太短：至少需要 {MIN_PASSWORD_CHARS} 个字符。")
    if password.strip().lower() == username.strip().lower() or len(set(password)) < 4:
        raise AccountError("密码太简单：不能与用户名相同，也不能由很少几个字符重复组成。")


def normalise_username(username: str) -> str:
    name = (username or "").strip()
    if not name or len(name) > MAX_USERNAME_CHARS or any(c.isspace() for c in name):
        raise AccountError(f"用户名不能为空、不能含空格，且不超过 {MAX_USERNAME_CHARS} 个字符。")
    return name


def save_user(username: str, role: str, password: str) -> bool:
    """Create the account, or reset an existing one's role and password (and re-enable it).

    Returns True if the account was created.
    """
    username = normalise_username(username)
    if role not in ROLES:
        raise AccountError(f"角色应为 {' / '.join(ROLES)} 之一。")
    check_new_password(username, password)
    password_hash = hash_password(password)
    with session_scope() as session:
        user = session.execute(select(StaffUser).where(StaffUser.username == username)).scalars().first()
        if user is None:
            session.add(StaffUser(username=username, role=role, password_hash=password_hash, active=True))
            return True
        user.role, user.password_hash, user.active = role, password_hash, True
        return False


def set_active(username: str, active: bool) -> None:
    """Disable (or re-enable) an account; a disabled account cannot sign in or use a session."""
    with session_scope() as session:
        user = session.execute(select(StaffUser).where(StaffUser.username == username)).scalars().first()
        if user is None:
            raise AccountError(f"没有用户名为 {username} 的账号。")
        user.active = active


def authenticate(username: str, password: str) -> Optional[Staff]:
    """The staff member if the username exists, is enabled and the password matches; else None."""
    with session_scope() as session:
        query = select(StaffUser).where(StaffUser.username == (username or "").strip())
        user = session.execute(query).scalars().first()
        found = (user.id, user.username, user.role, user.active, user.password_hash) if user else None
    if found is None:
        verify_password(password or "", _DUMMY_HASH)
        return None
    user_id, name, role, active, password_hash = found
    if not verify_password(password or "", password_hash) or not active or role not in ROLES:
        return None
    return Staff(user_id, name, role)


def active_staff(user_id: int) -> Optional[Staff]:
    """The account behind a session, if it still exists and is enabled (role as it is now)."""
    with session_scope() as session:
        user = session.get(StaffUser, user_id)
        if user is None or not user.active or user.role not in ROLES:
            return None
        return Staff(user.id, user.username, user.role)


def user_exists(username: str) -> bool:
    with session_scope() as session:
        query = select(StaffUser.id).where(StaffUser.username == (username or "").strip())
        return session.execute(query).first() is not None
