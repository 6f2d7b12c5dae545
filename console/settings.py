"""The staff console's settings, read once from the environment when the web process starts.

Defaults suit the embedded mode (``make run`` on one machine); every limit can be tightened
without a code change.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Mapping, Optional, Tuple


class ConsoleSettingsError(ValueError):
    """An environment value that cannot be used; the message says which and why (in Chinese)."""


def _minutes(env: Mapping[str, str], name: str, default: int) -> int:
    raw = (env.get(name) or "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) <= 0:
        raise ConsoleSettingsError(f"{name} 应为正整数（分钟），实际为 {raw!r}")
    return int(raw)


@dataclass(frozen=True)
class ConsoleSettings:
    idle_minutes: int = 30
    absolute_minutes: int = 8 * 60  # one shift
    secure_cookies: bool = False  # also Secure whenever the request itself came over https
    login_max_failures: int = 5  # per account from one address
    login_window_minutes: int = 15
    login_max_per_address: int = 20  # one address, any accounts
    login_max_per_account: int = 50  # one account, any addresses: a distributed guess; an alert
    # Proxies whose X-Forwarded-For is believed (the scaled profile's nginx on loopback); from any
    # other peer the header is the client's own claim and is ignored.
    trusted_proxies: Tuple[str, ...] = ()
    rasa_api_url: str = "http://127.0.0.1:5005"
    rasa_api_token: str = field(default="", repr=False)
    # Origins allowed to post besides the one the request was addressed to (a TLS proxy in front).
    extra_origins: Tuple[str, ...] = ()

    @classmethod
    def from_env(cls, environ: Optional[Mapping[str, str]] = None, rasa_port: int = 5005) -> ConsoleSettings:
        env = os.environ if environ is None else environ
        return cls(
            idle_minutes=_minutes(env, "CONSOLE_IDLE_MINUTES", cls.idle_minutes),
            absolute_minutes=_minutes(env, "CONSOLE_SESSION_MAX_MINUTES", cls.absolute_minutes),
            # Production mode: always Secure; the console is served over https (a TLS proxy in front).
            secure_cookies=(env.get("CONSOLE_SECURE_COOKIES") or "").strip() == "1"
            or (env.get("APP_MODE") or "").strip().lower() == "production",
            login_max_failures=_minutes(env, "CONSOLE_LOGIN_MAX_FAILURES", cls.login_max_failures),
            login_window_minutes=_minutes(env, "CONSOLE_LOGIN_WINDOW_MINUTES", cls.login_window_minutes),
            login_max_per_address=_minutes(env, "CONSOLE_LOGIN_MAX_PER_ADDRESS", cls.login_max_per_address),
            login_max_per_account=_minutes(env, "CONSOLE_LOGIN_MAX_PER_ACCOUNT", cls.login_max_per_account),
            trusted_proxies=tuple((env.get("CONSOLE_TRUSTED_PROXIES") or "").split()),
            rasa_api_url=(env.get("RASA_API_URL") or f"http://127.0.0.1:{rasa_port}").rstrip("/"),
            rasa_api_token=env.get("RASA_API_TOKEN") or "",
            extra_origins=tuple((env.get("CONSOLE_ORIGINS") or "").split()),
        )
