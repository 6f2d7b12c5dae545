"""The status store's settings, read once from the environment.

Embedded mode (the default, what ``make run`` starts) must work with no configuration at all, so it
falls back to a SQLite file and a development HMAC secret. Production mode refuses to start with
that secret: anyone who knows it can test every six-digit ID tail against a stored hash offline.
Changing the secret invalidates every stored hash: re-import the latest export right after.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Mapping

logger = logging.getLogger(__name__)

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DB_URL = f"sqlite:///{REPO / 'var' / 'status.db'}"
DEV_SECRET = "dev-only-status-secret-do-not-use-in-production"
MIN_SECRET_CHARS = 32
APP_MODES = ("embedded", "production")


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
        return cls(db_url=env.get("STATUS_DB_URL") or DEFAULT_DB_URL, hmac_secret=secret, app_mode=mode)


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


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read from the environment on first use (not at import)."""
    return Settings.from_env()
