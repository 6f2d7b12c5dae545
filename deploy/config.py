"""What the scaled profile is made of: ports, database and Redis addresses, the environment every
process gets, and the nginx configuration rendered from deploy/nginx.conf.template.

Pure data and string work; starting processes is the launcher's job (launcher/, deploy/stack.py).
"""

from __future__ import annotations

import json
import os
import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Sequence
from urllib.parse import quote, urlsplit

from sqlalchemy.engine import URL, make_url

from platform_core.paths import REPO

TEMPLATE = REPO / "deploy" / "nginx.conf.template"
ENDPOINTS = REPO / "deploy" / "endpoints.scaled.yml"
ATOMIC_LOCK_STORE = "bot.lock_store.AtomicRedisLockStore"
# The three stores live in separate databases: different owners, different retention, and one
# can be down without the others.
STORES = ("tracker", "status", "console")
DEFAULT_DB_PREFIX = "shaoguan_scaled"
WECHAT_VARIABLES = ("WECHAT_TOKEN", "WECHAT_APP_ID", "WECHAT_APP_SECRET", "WECHAT_AES_KEY")
_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]{0,40}$")


@dataclass(frozen=True)
class Address:
    host: str
    port: int


@dataclass(frozen=True)
class RedisTarget:
    host: str
    port: int
    db: int
    password: str = ""

    @classmethod
    def parse(cls, url: str) -> RedisTarget:
        """``redis://[:password@]host:port/db``."""
        parts = urlsplit(url)
        if parts.scheme not in ("redis", "") or not parts.hostname:
            raise ValueError(f"Redis 地址应为 redis://主机:端口/库号，实际为 {url!r}")
        db = int(parts.path.strip("/") or 0)
        return cls(parts.hostname, parts.port or 6379, db, parts.password or "")


@dataclass
class ScaledConfig:
    """Everything one scaled deployment needs; ``for_ports`` fills the defaults."""

    model: str
    pg_url: str  # the PostgreSQL server (any database on it, used to create the stores' databases)
    db_prefix: str
    redis: RedisTarget
    public: Address
    internal: Address
    rasa_ports: List[int]
    action_ports: List[int]
    web_port: Optional[int]
    work: Path
    api_token: str
    actions_package: str = "actions"
    # The secret Rasa sends the action servers on every call (actions/server.py); a new one per start.
    action_token: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    lock_store_type: str = ATOMIC_LOCK_STORE
    action_timeout_s: int = 10
    # Where each process connects, if not straight to the server (tests put fault proxies here).
    store_addresses: Dict[str, Address] = field(default_factory=dict)
    redis_address: Optional[Address] = None
    extra_env: Dict[str, str] = field(default_factory=dict)
    # The staff console's own listener (nginx): never the public one.
    staff: Address = Address("127.0.0.1", 8090)
    # REST on the public listener: for integrations only (bot/channels/integrations.py). Off in
    # production mode unless REST_INTEGRATIONS is configured; the drills and load tests use it.
    publish_rest: bool = True

    def __post_init__(self) -> None:
        database_name(self.db_prefix, "tracker")  # checks the prefix

    @property
    def public_url(self) -> str:
        return f"http://{self.public.host}:{self.public.port}"

    @property
    def internal_url(self) -> str:
        return f"http://{self.internal.host}:{self.internal.port}"

    def database(self, store: str) -> str:
        return database_name(self.db_prefix, store)

    def store_url(self, store: str, direct: bool = False) -> URL:
        """SQLAlchemy URL of ``store``'s database, through its configured address unless ``direct``."""
        url = make_url(self.pg_url).set(database=self.database(store))
        address = None if direct else self.store_addresses.get(store)
        return url.set(host=address.host, port=address.port) if address else url

    def socketio_redis_url(self, redis: Address) -> str:
        password = f":{quote(self.redis.password, safe='')}@" if self.redis.password else ""
        return f"redis://{password}{redis.host}:{redis.port}/{self.redis.db}"

    def environment(self) -> Dict[str, str]:
        """The environment every process of the deployment gets (on top of the caller's)."""
        tracker = self.store_url("tracker")
        redis = self.redis_address or Address(self.redis.host, self.redis.port)
        env = {
            "PYTHONPATH": str(REPO),
            "RASA_TELEMETRY_ENABLED": "false",
            "TF_CPP_MIN_LOG_LEVEL": "2",
            "TRACKER_DB_HOST": tracker.host or "127.0.0.1",
            "TRACKER_DB_PORT": str(tracker.port or 5432),
            "TRACKER_DB_NAME": self.database("tracker"),
            "TRACKER_DB_USER": tracker.username or "postgres",
            "TRACKER_DB_PASSWORD": tracker.password or "",
            # Each Rasa process handles one message at a time on its event loop: a small pool is plenty,
            # and keeps the shared server's connection limit in reach.
            "SQL_POOL_SIZE": "5",
            # Rasa's listen backlog (default 100). 200 residents arriving at once through nginx filled
            # it: connects took over proxy_connect_timeout, nginx took both instances out, and everyone
            # got 系统繁忙 for 5 s (tests.scaled.load, 2026-12-03: 1,401 of 4,000 replies).
            "SANIC_BACKLOG": "1024",
            # Rasa sits behind our nginx only (it listens on loopback): the client address is the last
            # X-Forwarded-For entry, the one nginx added. The status lookup counts failures by it.
            "SANIC_PROXIES_COUNT": "1",
            "SQL_MAX_OVERFLOW": "5",
            "LOCK_STORE_TYPE": self.lock_store_type,
            "REDIS_HOST": redis.host,
            "REDIS_PORT": str(redis.port),
            "REDIS_DB": str(self.redis.db),
            "REDIS_PASSWORD": self.redis.password,
            # Replies to web-chat sockets, whichever instance sends them (bot/channels/socketio.py).
            "SOCKETIO_REDIS_URL": self.socketio_redis_url(redis),
            "STATUS_DB_URL": self.store_url("status").render_as_string(hide_password=False),
            "CONSOLE_DB_URL": self.store_url("console").render_as_string(hide_password=False),
            # No process of the deployment creates or alters a table: make migrate-scaled does, before
            # the start (platform_core.schema); a process finding a database behind refuses to use it.
            "DB_MIGRATIONS": "explicit",
            "ACTION_ENDPOINT_URL": f"{self.internal_url}/webhook",
            "RASA_API_TOKEN": self.api_token,
            "ACTION_SERVER_TOKEN": self.action_token,
            "RASA_API_URL": self.internal_url,
            # The console is reached through nginx's staff listener only (deploy/nginx.conf.template).
            "CONSOLE_ORIGINS": f"http://{self.staff.host}:{self.staff.port}",
            # nginx runs here: the address it appends to X-Forwarded-For is the sign-in limits' client.
            "CONSOLE_TRUSTED_PROXIES": "127.0.0.1",
            # The channels in bot/credentials.yml read these; an empty WeChat token turns WeChat off.
            **{name: os.environ.get(name, "") for name in WECHAT_VARIABLES},
        }
        return {**env, **self.extra_env}


def database_name(prefix: str, store: str) -> str:
    """``<prefix>_<store>``: the database of ``store`` in a scaled deployment."""
    if not _IDENTIFIER.match(prefix):
        raise ValueError(f"数据库名前缀只能用小写字母、数字和下划线：{prefix!r}")
    return f"{prefix}_{store}"


def render_nginx(config: ScaledConfig, as_root: bool) -> str:
    """nginx.conf for ``config`` from the template (every placeholder must be filled)."""
    nginx_work = config.work / "nginx"

    def servers(ports: Sequence[int]) -> str:
        # max_fails=1: one refused connection takes an instance out for fail_timeout, then it is retried.
        return "\n".join(f"        server 127.0.0.1:{port} max_fails=1 fail_timeout=5s;" for port in ports)

    values = {
        "WORK": str(nginx_work),
        "USER_DIRECTIVE": "user nobody nogroup;" if as_root else "",
        "PUBLIC_LISTEN": f"{config.public.host}:{config.public.port}",
        "INTERNAL_LISTEN": f"{config.internal.host}:{config.internal.port}",
        "STAFF_LISTEN": f"{config.staff.host}:{config.staff.port}",
        "RASA_SERVERS": servers(config.rasa_ports),
        "ACTION_SERVERS": servers(config.action_ports),
        # No web process (tests): an address nothing listens on, so / answers 502.
        "WEB_SERVERS": servers([config.web_port or 9]),
        "ACTION_TIMEOUT": str(config.action_timeout_s),
        "REST_CLOSED": "" if config.publish_rest else "return 404;  # no REST integration configured",
        "BUSY_REPLY": busy_reply(),
    }
    text = TEMPLATE.read_text(encoding="utf-8")
    for name, value in values.items():
        text = text.replace(f"@{name}@", value)
    left = re.findall(r"@[A-Z_]+@", text)
    if left:
        raise ValueError(f"nginx 模板中有未填写的占位符：{sorted(set(left))}")
    return text


def busy_reply() -> str:
    """The REST reply nginx gives when no Rasa instance answers: the operator's 系统繁忙 message
    (policy_kb), as the JSON list the REST channel returns, made safe for an nginx string."""
    from policy_kb import answers
    from policy_kb.live import served_data_dir
    from policy_kb.loader import load_kb

    text = answers.message(load_kb(served_data_dir()), "service_unavailable").text
    body = json.dumps([{"recipient_id": "", "text": text}], ensure_ascii=False)
    if "$" in body:  # nginx would read it as a variable, and has no escape for it
        raise ValueError("系统繁忙话术中不能含有 $ 符号（nginx 配置无法表示）")
    return body.replace("\\", "\\\\").replace("'", "\\'")
