"""The status store's settings, read once from the environment.

Embedded mode (the default, what ``make run`` starts) must work with no configuration at all, so it
falls back to a SQLite file and a development HMAC secret. Production mode refuses to start with
that secret: anyone who knows it can test every six-digit ID tail against a stored hash offline.
Changing the secret invalidates every stored hash: re-import the latest export right after.

``startup_refusal`` is what every launcher and server process (make run, make run-scaled, the
action server, Rasa, the web page and console) asks before it starts, so a production deployment
with a default or missing secret stops at once with a message saying what to set, instead of at
the first resident's lookup.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import List, Mapping, Optional, Sequence
from urllib.parse import urlsplit

logger = logging.getLogger(__name__)

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DB_URL = f"sqlite:///{REPO / 'var' / 'status.db'}"
DEV_SECRET = "dev-only-status-secret-do-not-use-in-production"
MIN_SECRET_CHARS = 32
MIN_TOKEN_CHARS = 16
APP_MODES = ("embedded", "production")
# DB_MIGRATIONS: who brings a database's schema to the newest revision (status_store.schema). auto:
# each process on first connecting (embedded); explicit: only make migrate-scaled or the deployment's
# migration job, and serving processes refuse a database that is behind (scaled profile, Helm).
AUTO, EXPLICIT = "auto", "explicit"
# Values that ship in this repository or in charts it uses: never a production secret.
KNOWN_DEFAULTS = frozenset({DEV_SECRET, "rasaToken", "unused-see-args", "changeme", "change-me", "secret"})
# Shared secrets that processes take from the environment (a launcher makes a random one if unset).
TOKENS = ("RASA_API_TOKEN", "ACTION_SERVER_TOKEN")


class SettingsError(RuntimeError):
    """The environment does not describe a safe configuration; the message says how to fix it."""


@dataclass(frozen=True)
class Settings:
    # repr=False: a settings object printed in a traceback must not leak the secret or a DB password.
    db_url: str = field(repr=False)
    hmac_secret: bytes = field(repr=False)
    app_mode: str = "embedded"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Build settings from ``environ`` (default ``os.environ``); raise :class:`SettingsError`."""
        env = os.environ if environ is None else environ
        mode = _app_mode(env.get("APP_MODE", ""))
        secret = _secret(env.get("STATUS_HMAC_SECRET", ""), mode)
        return cls(db_url=status_db_url(env), hmac_secret=secret, app_mode=mode)


def status_db_url(environ: Mapping[str, str] | None = None) -> str:
    """STATUS_DB_URL, or the embedded SQLite file (without the secret that :class:`Settings` needs)."""
    env = os.environ if environ is None else environ
    return env.get("STATUS_DB_URL") or DEFAULT_DB_URL


def _app_mode(raw: str) -> str:
    mode = raw.strip().lower() or "embedded"
    if mode not in APP_MODES:
        raise SettingsError(f"APP_MODE 应为 embedded 或 production，实际为 {raw!r}")
    return mode


def _secret(raw: str, mode: str) -> bytes:
    secret = raw.strip()
    if mode == "embedded":
        if not secret:
            logger.warning("未设置 STATUS_HMAC_SECRET，使用开发用默认密钥（仅限内嵌模式，切勿用于生产）")
            secret = DEV_SECRET
        return secret.encode("utf-8")
    if not secret or secret == DEV_SECRET:
        raise SettingsError(
            "生产模式（APP_MODE=production）必须设置 STATUS_HMAC_SECRET，且不能使用开发默认密钥。"
            "可用 python -c 'import secrets; print(secrets.token_hex(32))' 生成。"
        )
    if len(secret) < MIN_SECRET_CHARS:
        raise SettingsError(f"STATUS_HMAC_SECRET 太短：生产模式至少需要 {MIN_SECRET_CHARS} 个字符。")
    return secret.encode("utf-8")


def migrations_mode(environ: Mapping[str, str] | None = None) -> str:
    """``auto`` or ``explicit`` (DB_MIGRATIONS; auto when unset); :class:`SettingsError` otherwise."""
    env = os.environ if environ is None else environ
    raw = env.get("DB_MIGRATIONS", "")
    mode = raw.strip().lower() or AUTO
    if mode not in (AUTO, EXPLICIT):
        raise SettingsError(f"DB_MIGRATIONS 应为 auto 或 explicit，实际为 {raw!r}")
    return mode


def startup_problems(environ: Mapping[str, str] | None = None) -> List[str]:
    """What keeps this environment from starting, one Chinese sentence each (empty: it may start).

    Any mode: APP_MODE and DB_MIGRATIONS spelt right. Production mode: the status secret set, long
    and not a development default; the shared tokens, when given, long and not a default; WeChat
    only in 安全模式 (with an EncodingAESKey, the signature covers the message; without one, anyone
    holding a signed URL can post as anyone); the Redis the Rasa instances share, when there is
    one, with a password.
    """
    env = os.environ if environ is None else environ
    try:
        mode = _app_mode(env.get("APP_MODE", ""))
        migrations_mode(env)
    except SettingsError as error:
        return [str(error)]
    if mode != "production":
        return []
    problems: List[str] = []
    try:
        _secret(env.get("STATUS_HMAC_SECRET", ""), mode)
    except SettingsError as error:
        problems.append(str(error))
    for name in TOKENS:
        value = (env.get(name) or "").strip()
        if value and (value in KNOWN_DEFAULTS or len(value) < MIN_TOKEN_CHARS):
            problems.append(
                f"{name} 是默认值或太短（至少 {MIN_TOKEN_CHARS} 个字符）；不设置时启动程序会自动生成随机值。"
            )
    if (env.get("WECHAT_TOKEN") or "").strip() and not (env.get("WECHAT_AES_KEY") or "").strip():
        problems.append("已配置微信（WECHAT_TOKEN）但没有 WECHAT_AES_KEY：生产模式只允许微信安全模式。")
    redis_url = (env.get("SOCKETIO_REDIS_URL") or "").strip()
    if redis_url and not urlsplit(redis_url).password:
        # Whoever can write to it reaches every Rasa instance (SECURITY.md, python-socketio).
        problems.append("SOCKETIO_REDIS_URL 没有密码：生产模式下 Redis 必须设置密码（redis://:密码@主机:端口/库号）。")
    return problems


def startup_refusal(environ: Mapping[str, str] | None = None, extra: Sequence[str] = ()) -> Optional[str]:
    """The message a process prints instead of starting, or None when the environment is safe;
    ``extra``: problems the caller found in settings this layer does not know (REST integrations)."""
    problems = startup_problems(environ) + list(extra)
    if not problems:
        return None
    lines = "\n".join(f"  - {problem}" for problem in problems)
    return f"拒绝启动，请先修改环境变量：\n{lines}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read from the environment on first use (not at import)."""
    return Settings.from_env()
