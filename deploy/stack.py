"""Start, probe, kill and stop the processes of the scaled profile.

Every process runs in a process group of its own, so stopping one (or killing it in a fault drill)
never leaves a child behind, and its output goes to var/scaled/logs/<name>.log (optionally echoed
with a ``[name]`` prefix). ``ScaledStack`` is used by the launcher (deploy/scaled.py) and by the
fault drills (tests/scaled/), which kill and restart single services.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Callable, Dict, Iterable, List, Optional

from sqlalchemy import create_engine, text

from deploy.config import ENDPOINTS, REPO, STORES, ScaledConfig, render_nginx
from launcher import probes

GRACE_SECONDS = 15


class NotReady(RuntimeError):
    """A service did not answer its health probe in time; the message names it."""


@dataclass
class Service:
    name: str
    argv: List[str]
    probe: Callable[[], bool]
    process: Optional[subprocess.Popen] = None
    pump: Optional[threading.Thread] = None
    env: Dict[str, str] = field(default_factory=dict)

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None


class ScaledStack:
    """The processes of one scaled deployment (nginx, action servers, Rasa instances, web)."""

    def __init__(self, config: ScaledConfig, echo: bool = False):
        self.config, self.echo = config, echo
        self.logs_dir = config.work / "logs"
        self.env = {**os.environ, **config.environment()}
        self.services: Dict[str, Service] = {service.name: service for service in self._services()}

    # ── the services ────────────────────────────────────────────────────────────────────────────
    def _services(self) -> Iterable[Service]:
        config, python = self.config, sys.executable
        nginx_work = config.work / "nginx"
        yield Service(
            "nginx",
            [
                _nginx(),
                "-p",
                str(nginx_work),
                "-c",
                str(nginx_work / "nginx.conf"),
                "-e",
                str(nginx_work / "error.log"),
            ],
            probes.get_ok(f"{config.public_url}/healthz"),
        )
        for number, port in enumerate(config.action_ports, 1):
            # actions.server: rasa-sdk on loopback, checking the shared secret on every call.
            yield Service(
                f"actions-{number}",
                [python, "-m", "actions.server", "--actions", config.actions_package, "--port", str(port)],
                probes.actions(f"http://127.0.0.1:{port}", config.action_token),
            )
        for number, port in enumerate(config.rasa_ports, 1):
            yield Service(
                f"rasa-{number}",
                self._rasa_argv(port),
                probes.rasa(f"http://127.0.0.1:{port}", config.api_token, f"healthcheck-rasa-{number}"),
            )
        if config.web_port:
            yield Service(
                "web",
                [
                    python,
                    "-m",
                    "web.server",
                    "--port",
                    str(config.web_port),
                    "--rasa-port",
                    str(config.rasa_ports[0]),
                    "--socket-url",
                    config.public_url,
                    # nginx is the only way in: the page on the public listener, the console on the internal one
                    "--host",
                    "127.0.0.1",
                ],
                probes.get_ok(f"http://127.0.0.1:{config.web_port}/"),
            )

    def _rasa_argv(self, port: int) -> List[str]:
        config = self.config
        # Same as bot/serve.py: bot.rasa_main turns tracker-store failures into errors and alerts.
        return [
            sys.executable,
            "-m",
            "bot.rasa_main",
            "run",
            "--model",
            config.model,
            "--endpoints",
            str(ENDPOINTS),
            "--credentials",
            str(REPO / "bot" / "credentials.yml"),
            "--port",
            str(port),
            "--interface",
            "127.0.0.1",
            "--cors",
            config.public_url,
            "--enable-api",  # with the token from RASA_API_TOKEN (config.environment()), never on the command line
        ]

    # ── life cycle ─────────────────────────────────────────────────────────────────────────────
    def prepare(self) -> None:
        """Databases, tables, folders and nginx.conf; checks the nginx configuration."""
        for folder in ("logs", "nginx/tmp"):
            (self.config.work / folder).mkdir(parents=True, exist_ok=True)
        as_root = os.geteuid() == 0
        if as_root:  # nginx workers run as nobody; bodies are streamed, tmp/ is only a fallback
            shutil.chown(self.config.work / "nginx" / "tmp", user="nobody")
        (self.config.work / "nginx" / "nginx.conf").write_text(render_nginx(self.config, as_root), encoding="utf-8")
        check = subprocess.run([*self.services["nginx"].argv, "-t", "-q"], capture_output=True, text=True)
        if check.returncode != 0:
            raise RuntimeError(f"nginx 配置检查未通过：{check.stderr.strip()}")
        prepare_databases(self.config)

    def start(self, names: Optional[Iterable[str]] = None) -> None:
        for name in names or self.services:
            service = self.services[name]
            if not service.running:
                self._spawn(service)

    def wait_until_ready(self, timeout: float, names: Optional[Iterable[str]] = None) -> None:
        """Poll every service's probe until all pass; NotReady names the first that did not."""
        deadline = time.monotonic() + timeout
        # Rasa's probe goes through nginx to an action server: check those first.
        order = sorted(names or self.services, key=lambda n: n.startswith("rasa-"))
        for name in order:
            service = self.services[name]
            while not probes.passes(service.probe):
                if not service.running:
                    raise NotReady(f"{name} 已退出（退出码 {service.process.returncode}），见 {self.log_path(name)}")
                if time.monotonic() > deadline:
                    raise NotReady(f"{name} 未在 {timeout:.0f} 秒内就绪，见 {self.log_path(name)}")
                time.sleep(1)

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        """Send ``sig`` to the service's whole process group and wait for it to end (fault drills)."""
        service = self.services[name]
        if service.running:
            _signal_group(service.process, sig)
            service.process.wait(timeout=GRACE_SECONDS)
            service.pump.join(timeout=5)

    def stop(self, names: Optional[Iterable[str]] = None) -> None:
        """SIGTERM to every service (nginx first: nothing new reaches the others), SIGKILL after the grace time."""
        services = [self.services[n] for n in (names or self.services)]
        for service in services:
            if service.running:
                _signal_group(service.process, signal.SIGTERM)
        deadline = time.monotonic() + GRACE_SECONDS
        for service in services:
            if service.process is None:
                continue
            try:
                service.process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                _signal_group(service.process, signal.SIGKILL)
                service.process.wait(timeout=5)
            if service.pump:
                service.pump.join(timeout=5)

    def log_path(self, name: str) -> Path:
        return self.logs_dir / f"{name}.log"

    def _spawn(self, service: Service) -> None:
        log = open(self.log_path(service.name), "ab")
        service.process = subprocess.Popen(
            service.argv,
            cwd=REPO,
            env={**self.env, **service.env},
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        prefix = f"[{service.name}] ".encode() if self.echo else None
        service.pump = threading.Thread(target=_pump, args=(service.process.stdout, log, prefix), daemon=True)
        service.pump.start()


def prepare_databases(config: ScaledConfig) -> None:
    """Create each store's database if missing, and the status, service desk and console tables.

    The tables are created here, once, rather than by several processes racing at start-up;
    Rasa creates its own ``events`` table (and copes with that race itself).
    """
    from console.store import Base as ConsoleBase
    from service_desk.store import Base as DeskBase
    from status_store.models import Base as StatusBase

    admin = create_engine(
        config.pg_url,
        future=True,
        isolation_level="AUTOCOMMIT",
        hide_parameters=True,
        connect_args={"connect_timeout": 5},
    )
    try:
        with admin.connect() as conn:
            existing = set(conn.execute(text("SELECT datname FROM pg_database")).scalars())
            quote = conn.dialect.identifier_preparer.quote
            for store in STORES:
                if config.database(store) not in existing:
                    # An identifier cannot be a bound parameter; the name is checked by ScaledConfig.
                    conn.execute(text(f"CREATE DATABASE {quote(config.database(store))}"))
    finally:
        admin.dispose()
    tables = (("status", StatusBase.metadata), ("console", DeskBase.metadata), ("console", ConsoleBase.metadata))
    for store, metadata in tables:
        engine = create_engine(config.store_url(store, direct=True), future=True, hide_parameters=True)
        try:
            metadata.create_all(engine)
        finally:
            engine.dispose()


def _signal_group(process: subprocess.Popen, sig: int) -> None:
    try:
        os.killpg(process.pid, sig)
    except ProcessLookupError:
        pass


def _pump(stream: IO[bytes], log: IO[bytes], prefix: Optional[bytes]) -> None:
    with stream, log:
        for line in iter(stream.readline, b""):
            log.write(line)
            log.flush()
            if prefix is not None:
                sys.stdout.buffer.write(prefix + line)
                sys.stdout.buffer.flush()


def _nginx() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if not found:
        raise RuntimeError("未找到 nginx。请先运行 make nginx（Debian：apt-get install nginx）。")
    return found
