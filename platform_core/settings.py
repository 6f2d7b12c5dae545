"""The one settings object, read once from the environment.

Every process reads its configuration here (:func:`get_settings`, on first use and not at import);
no other module looks at the environment for it (tests/platform_core/test_environment_owner.py).
Sections: the databases, the keyed-hash secret, how schemas are migrated, the published knowledge
base, the staff console (:class:`ConsoleSettings`), the shared tokens of Rasa and the action server,
the REST integrations, retention and the tracker database that ``make purge`` reads.
Tests that change the environment call ``get_settings.cache_clear()``.

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
import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Dict, List, Mapping, Optional, Sequence, Tuple
from urllib.parse import urlsplit

from platform_core.paths import VAR

logger = logging.getLogger(__name__)

DEFAULT_DB_URL = f"sqlite:///{VAR / 'status.db'}"  # the status store's
DEFAULT_CONSOLE_DB_URL = f"sqlite:///{VAR / 'console.db'}"  # staff, audit, change sets, the service desk's
DEFAULT_PUBLISH_DIR = VAR / "kb"
DEFAULT_ACTION_SERVER_HOST = "127.0.0.1"  # loopback: only this machine's Rasa reaches the actions
DEFAULT_RETENTION_DAYS = 180
DEV_SECRET = "dev-only-status-secret-do-not-use-in-production"
MIN_SECRET_CHARS = 32
MIN_TOKEN_CHARS = 16
APP_MODES = ("embedded", "production")
# DB_MIGRATIONS: who brings a database's schema to the newest revision (platform_core.schema). auto:
# each process on first connecting (embedded); explicit: only make migrate-scaled or the deployment's
# migration job, and serving processes refuse a database that is behind (scaled profile, Helm).
AUTO, EXPLICIT = "auto", "explicit"
# Values that ship in this repository or in charts it uses: never a production secret.
KNOWN_DEFAULTS = frozenset({DEV_SECRET, "rasaToken", "unused-see-args", "changeme", "change-me", "secret"})
# Shared secrets that processes take from the environment (a launcher makes a random one if unset).
TOKENS = ("RASA_API_TOKEN", "ACTION_SERVER_TOKEN")
MIN_INTEGRATION_TOKEN_CHARS = 32  # a REST integration's token
_INTEGRATION_NAME = re.compile(r"^[a-z0-9_-]{1,32}$")


class SettingsError(RuntimeError):
    """The environment does not describe a safe configuration; the message says how to fix it."""


class IntegrationsError(SettingsError, ValueError):
    """REST_INTEGRATIONS cannot be used; the message says which entry and why."""


def _minutes(env: Mapping[str, str], name: str, default: int) -> int:
    raw = (env.get(name) or "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) <= 0:
        raise ConsoleSettingsError(f"{name} 应为正整数（分钟），实际为 {raw!r}")
    return int(raw)


class ConsoleSettingsError(ValueError):
    """An environment value that cannot be used; the message says which and why (in Chinese)."""


@dataclass(frozen=True)
class ConsoleSettings:
    """The staff console's section: defaults suit the embedded mode (``make run`` on one machine);
    every limit can be tightened without a code change."""

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


@dataclass(frozen=True)
class TrackerDbSettings:
    """The values bot/endpoints.yml (and deploy/endpoints.scaled.yml) put in the tracker store's
    ``${TRACKER_DB_*}`` placeholders, as Rasa fills them; None: not set. ``make purge`` reads them."""

    dialect: Optional[str] = None  # TRACKER_DB_DIALECT
    db: Optional[str] = field(default=None, repr=False)  # TRACKER_DB (a path or a URL)
    host: Optional[str] = None  # TRACKER_DB_HOST
    port: Optional[str] = None  # TRACKER_DB_PORT
    name: Optional[str] = None  # TRACKER_DB_NAME
    user: Optional[str] = None  # TRACKER_DB_USER
    password: Optional[str] = field(default=None, repr=False)  # TRACKER_DB_PASSWORD

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> TrackerDbSettings:
        return cls(**{key: env.get(variable) for key, variable in _TRACKER_VARIABLES.items()})

    def placeholders(self) -> Dict[str, str]:
        """``{variable: value}`` for each one that is set, to fill an endpoints file's placeholders."""
        values = {variable: getattr(self, key) for key, variable in _TRACKER_VARIABLES.items()}
        return {variable: value for variable, value in values.items() if value is not None}


_TRACKER_VARIABLES = {
    "dialect": "TRACKER_DB_DIALECT",
    "db": "TRACKER_DB",
    "host": "TRACKER_DB_HOST",
    "port": "TRACKER_DB_PORT",
    "name": "TRACKER_DB_NAME",
    "user": "TRACKER_DB_USER",
    "password": "TRACKER_DB_PASSWORD",
}


@dataclass(frozen=True)
class Settings:
    # repr=False: a settings object printed in a traceback must not leak the secret or a DB password.
    status_db_url: str = field(repr=False)  # STATUS_DB_URL
    # STATUS_HMAC_SECRET: keys the status store's hashes, the channels' ID-tail and client tokens
    # and the web chat's conversation ids.
    hmac_secret: bytes = field(repr=False)
    app_mode: str = "embedded"  # APP_MODE
    console_db_url: str = field(default=DEFAULT_CONSOLE_DB_URL, repr=False)  # CONSOLE_DB_URL
    migrations: str = "auto"  # DB_MIGRATIONS
    # The knowledge base: the published version the assistant serves (POLICY_KB_DIR; None: the
    # sources in policy_kb/data), where versions are published (KB_PUBLISH_DIR), the sources the
    # console's publishing writes back to (FAQ_SOURCE_DIR; None: policy_kb/data), who publishes.
    policy_kb_dir: Optional[Path] = None
    kb_publish_dir: Path = DEFAULT_PUBLISH_DIR
    faq_source_dir: Optional[Path] = None
    published_by: str = ""  # PUBLISHED_BY; "" for the operating-system user
    console: ConsoleSettings = field(default_factory=ConsoleSettings)
    rasa_api_url: str = ""  # RASA_API_URL as given ("" : the web process's own --rasa-port)
    # Shared secrets between processes (a launcher makes random ones when unset). Rasa's HTTP API
    # token: RASA_API_TOKEN, else read by Rasa at start-up from the file RASA_API_TOKEN_FILE names.
    rasa_api_token: str = field(default="", repr=False)
    rasa_api_token_file: Optional[Path] = None
    action_server_token: str = field(default="", repr=False)  # ACTION_SERVER_TOKEN, as Rasa sends it
    action_server_host: str = DEFAULT_ACTION_SERVER_HOST  # ACTION_SERVER_HOST
    # REST_INTEGRATIONS (or the file REST_INTEGRATIONS_FILE): integration name -> its token.
    rest_integrations: Dict[str, bytes] = field(default_factory=dict, repr=False)
    retention_days: int = DEFAULT_RETENTION_DAYS  # RETENTION_DAYS, what make purge keeps
    tracker_db: TrackerDbSettings = field(default_factory=TrackerDbSettings)

    @property
    def production(self) -> bool:
        return self.app_mode == "production"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Build settings from ``environ`` (default ``os.environ``); raise :class:`SettingsError`."""
        env = os.environ if environ is None else environ
        mode = _app_mode(env.get("APP_MODE", ""))
        secret = _secret(env.get("STATUS_HMAC_SECRET", ""), mode)
        return cls(
            status_db_url=status_db_url(env),
            hmac_secret=secret,
            app_mode=mode,
            console_db_url=env.get("CONSOLE_DB_URL") or DEFAULT_CONSOLE_DB_URL,
            migrations=migrations_mode(env),
            policy_kb_dir=_path(env.get("POLICY_KB_DIR")),
            kb_publish_dir=_path(env.get("KB_PUBLISH_DIR")) or DEFAULT_PUBLISH_DIR,
            faq_source_dir=_path(env.get("FAQ_SOURCE_DIR")),
            published_by=env.get("PUBLISHED_BY") or "",
            console=ConsoleSettings.from_env(env),
            rasa_api_url=env.get("RASA_API_URL") or "",
            rasa_api_token=(env.get("RASA_API_TOKEN") or "").strip(),
            rasa_api_token_file=_path(env.get("RASA_API_TOKEN_FILE")),
            action_server_token=env.get("ACTION_SERVER_TOKEN", ""),
            action_server_host=env.get("ACTION_SERVER_HOST") or DEFAULT_ACTION_SERVER_HOST,
            rest_integrations=rest_integrations(env),
            retention_days=retention_days(env),
            tracker_db=TrackerDbSettings.from_env(env),
        )

    def console_for(self, rasa_port: int) -> ConsoleSettings:
        """The console's section for a web process whose Rasa listens on ``rasa_port`` (unless
        RASA_API_URL says otherwise)."""
        url = (self.rasa_api_url or f"http://127.0.0.1:{rasa_port}").rstrip("/")
        return replace(self.console, rasa_api_url=url)


def _path(raw: Optional[str]) -> Optional[Path]:
    return Path(raw) if raw else None


def retention_days(env: Mapping[str, str]) -> int:
    """RETENTION_DAYS (days; 180 when unset); :class:`SettingsError` unless a positive integer."""
    raw = (env.get("RETENTION_DAYS") or "").strip()
    if not raw:
        return DEFAULT_RETENTION_DAYS
    if not raw.isdigit() or int(raw) <= 0:
        raise SettingsError(f"RETENTION_DAYS 必须是正整数（天），实际为 {raw!r}")
    return int(raw)


def rest_integrations(env: Mapping[str, str]) -> Dict[str, bytes]:
    """REST_INTEGRATIONS, else the file REST_INTEGRATIONS_FILE names, parsed (:func:`parse_integrations`)."""
    text, path = env.get("REST_INTEGRATIONS"), env.get("REST_INTEGRATIONS_FILE")
    if not text and path:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as error:
            raise IntegrationsError(f"无法读取 REST_INTEGRATIONS_FILE 指定的文件：{error.strerror}") from None
    return parse_integrations(text or "")


def parse_integrations(text: str) -> Dict[str, bytes]:
    """``name=token`` entries (lines or commas; ``#`` comments) → tokens; IntegrationsError for a
    bad entry."""
    tokens: Dict[str, bytes] = {}
    for entry in (part.strip() for part in re.split(r"[,\n]", text or "")):
        if not entry or entry.startswith("#"):
            continue
        name, _, token = (piece.strip() for piece in entry.partition("="))
        if not _INTEGRATION_NAME.match(name):
            raise IntegrationsError(
                f"REST_INTEGRATIONS 中的集成名 {name!r} 只能用小写字母、数字、下划线和连字符（最多 32 个）"
            )
        if len(token) < MIN_INTEGRATION_TOKEN_CHARS:
            raise IntegrationsError(
                f"REST_INTEGRATIONS 中 {name} 的令牌太短：至少 {MIN_INTEGRATION_TOKEN_CHARS} 个字符"
            )
        if name in tokens or token.encode() in tokens.values():
            raise IntegrationsError(f"REST_INTEGRATIONS 中 {name} 重复，或与别的集成用了同一个令牌")
        tokens[name] = token.encode()
    return tokens


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

    Any mode: APP_MODE and DB_MIGRATIONS spelt right, RETENTION_DAYS a number of days, the REST
    integrations readable and well formed. Production mode: the status secret set, long
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
    problems = _value_problems(env)
    if mode != "production":
        return problems
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


def _value_problems(env: Mapping[str, str]) -> List[str]:
    problems: List[str] = []
    for check in (retention_days, rest_integrations):
        try:
            check(env)
        except SettingsError as error:
            problems.append(str(error))
    return problems


def startup_refusal(environ: Mapping[str, str] | None = None, extra: Sequence[str] = ()) -> Optional[str]:
    """The message a process prints instead of starting, or None when the environment is safe;
    ``extra``: problems the caller found in settings this layer does not know."""
    problems = startup_problems(environ) + list(extra)
    if not problems:
        return None
    lines = "\n".join(f"  - {problem}" for problem in problems)
    return f"拒绝启动，请先修改环境变量：\n{lines}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read from the environment on first use (not at import)."""
    return Settings.from_env()
