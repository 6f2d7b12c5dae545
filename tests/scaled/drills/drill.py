"""One scaled stack for the fault drills, reachable through fault proxies, and what drills do with it.

The stack is deploy/stack.py's, as make run-scaled starts it, with three differences: its databases
are private (``shaoguan_scaled_test_*``, dropped afterwards) and so is its Redis database; the
tracker store, the status store and Redis are reached through ``FaultProxy`` instances the drills
can cut; and the action servers load tests/scaled/faulty_actions.py (the real actions plus a
switch that makes a named one raise).
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Dict, Iterable, List, Optional

import requests
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from deploy.config import ATOMIC_LOCK_STORE, Address, RedisTarget, ScaledConfig
from deploy.migrate import migrate_scaled
from deploy.stack import ScaledStack
from tests.scaled.faultproxy import FaultProxy

DB_PREFIX = "shaoguan_scaled_test"
STARTUP_SECONDS = 600
SECRET = "chaos-status-secret-not-for-production-0123456789"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Answer:
    status: int
    replies: List[dict]
    seconds: float

    @property
    def text(self) -> str:
        return "\n".join(reply.get("text") or "" for reply in self.replies)


class Drill:
    def __init__(self, model: str, pg_url: str, redis_url: str, work: Path):
        self.pg_url, self.work = pg_url, work
        pg = make_url(pg_url)
        redis = RedisTarget.parse(redis_url)
        self.proxies: Dict[str, FaultProxy] = {
            "tracker": FaultProxy((pg.host, pg.port or 5432), "tracker").start(),
            "status": FaultProxy((pg.host, pg.port or 5432), "status").start(),
            "redis": FaultProxy((redis.host, redis.port), "redis").start(),
        }
        self.raise_file = work / "raise-in-actions"
        self.config = ScaledConfig(
            model=model,
            pg_url=pg_url,
            db_prefix=DB_PREFIX,
            redis=redis,
            public=Address("127.0.0.1", free_port()),
            internal=Address("127.0.0.1", free_port()),
            rasa_ports=[free_port(), free_port()],
            action_ports=[free_port(), free_port()],
            web_port=None,
            work=work,
            api_token=secrets.token_urlsafe(16),
            actions_package="tests.scaled.faulty_actions",
            store_addresses={store: Address(*self.proxies[store].address) for store in ("tracker", "status")},
            redis_address=Address(*self.proxies["redis"].address),
            extra_env={"STATUS_HMAC_SECRET": SECRET, "CHAOS_RAISE_FILE": str(self.raise_file)},
            # SCALED_LOCK_STORE=redis runs the drills on Rasa's own lock store, to see the race.
            lock_store_type=os.environ.get("SCALED_LOCK_STORE", ATOMIC_LOCK_STORE),
        )
        self.stack = ScaledStack(self.config)
        self.url = f"{self.config.public_url}/webhooks/rest/webhook"
        self.timings: List[dict] = []  # every reply's time, written to timings.json for the record

    # ── talking to it ───────────────────────────────────────────────────────────────────────────
    def ask(self, sender: str, message: str, metadata: Optional[dict] = None) -> Answer:
        """One REST message through nginx, as a resident's client sends it."""
        return self._post(self.url, "nginx", sender, message, metadata)

    def ask_instance(self, number: int, sender: str, message: str, metadata: Optional[dict] = None) -> Answer:
        """Straight to Rasa instance ``number`` (1-based), bypassing nginx."""
        port = self.config.rasa_ports[number - 1]
        return self._post(f"http://127.0.0.1:{port}/webhooks/rest/webhook", f"rasa-{number}", sender, message, metadata)

    def _post(self, url: str, via: str, sender: str, message: str, metadata: Optional[dict]) -> Answer:
        payload = {"sender": sender, "message": message, **({"metadata": metadata} if metadata else {})}
        started = time.monotonic()
        response = requests.post(url, json=payload, timeout=130)
        answer = Answer(response.status_code, response.json() if response.ok else [], time.monotonic() - started)
        self.timings.append(
            {"sender": sender, "via": via, "seconds": round(answer.seconds, 3), "busy": "系统繁忙" in answer.text}
        )
        return answer

    def events(self, sender: str) -> List[dict]:
        """The conversation's events as stored in PostgreSQL, in order (read directly, not via Rasa)."""
        engine = create_engine(self.config.store_url("tracker", direct=True), future=True)
        try:
            with engine.connect() as conn:
                rows = conn.execute(
                    text("SELECT data FROM events WHERE sender_id = :sender ORDER BY id"), {"sender": sender}
                ).scalars()
                return [json.loads(row) for row in rows]
        finally:
            engine.dispose()

    def tracker(self, sender: str) -> dict:
        """The conversation's current state, from Rasa's HTTP API (any instance, through nginx)."""
        response = requests.get(
            f"{self.config.internal_url}/conversations/{sender}/tracker",
            params={"token": self.config.api_token},
            timeout=30,
        )
        response.raise_for_status()
        return response.json()

    def logs(self) -> Dict[str, bytes]:
        """Every log the deployment wrote: each process's output and nginx's own logs."""
        files = list(self.stack.logs_dir.glob("*.log")) + list((self.work / "nginx").glob("*.log"))
        return {path.name: path.read_bytes() for path in files}

    # ── breaking and mending it ─────────────────────────────────────────────────────────────────
    def restart(self, names: Iterable[str], timeout: float = STARTUP_SECONDS) -> None:
        names = list(names)
        for name in names:
            self.stack.kill(name)
        self.stack.start(names)
        self.stack.wait_until_ready(timeout, names)
        # nginx keeps a failed server out for fail_timeout: wait until it routes to them again.
        wait_for(
            lambda: requests.get(f"{self.config.internal_url}/health", timeout=5).ok,
            30,
            "nginx 仍未把请求转给重启后的动作服务器",
        )

    def fail_action(self, *names: str) -> None:
        self.raise_file.write_text("\n".join(names))

    def heal_actions(self) -> None:
        self.raise_file.unlink(missing_ok=True)

    # ── life cycle ─────────────────────────────────────────────────────────────────────────────
    def start(self) -> None:
        drop_databases(self.pg_url, DB_PREFIX)
        # The operator's step before a start (make migrate-scaled): the stack itself never migrates.
        assert migrate_scaled(self.pg_url, DB_PREFIX) == 0
        self.stack.prepare()
        self.stack.start()
        self.stack.wait_until_ready(STARTUP_SECONDS)

    def stop(self) -> None:
        (self.work / "timings.json").write_text(json.dumps(self.timings, ensure_ascii=False, indent=1))
        self.stack.stop()
        for proxy in self.proxies.values():
            proxy.stop()


def wait_for(condition: Callable[[], bool], seconds: float, message: str, every: float = 0.5) -> None:
    """Poll ``condition`` until it holds; AssertionError with ``message`` after ``seconds``."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            if condition():
                return
        except (requests.RequestException, OSError):
            pass
        if time.monotonic() > deadline:
            raise AssertionError(message)
        time.sleep(every)


def drop_databases(pg_url: str, prefix: str) -> None:
    """Drop the drill's own databases (only names with ``prefix``_), even with clients still on them."""
    admin = create_engine(pg_url, future=True, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            names = (
                conn.execute(
                    text("SELECT datname FROM pg_database WHERE datname LIKE :p"),
                    {"p": prefix.replace("_", r"\_") + r"\_%"},
                )
                .scalars()
                .all()
            )
            for name in names:
                conn.execute(
                    text(f"DROP DATABASE IF EXISTS {conn.dialect.identifier_preparer.quote(name)} " "WITH (FORCE)")
                )
    finally:
        admin.dispose()
