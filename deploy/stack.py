"""The processes of the scaled profile: nginx, the action servers, the Rasa instances and the web page.

What each process is and when it is ready comes from the launcher (launcher/commands.py,
launcher/probes.py); starting, restarting, killing and stopping them is launcher/supervisor.py's,
with each process in a group of its own and its output in var/scaled/logs/<name>.log (optionally
echoed with a ``[name]`` prefix). ``ScaledStack`` is used by make run-scaled (deploy/scaled.py) and
by the fault drills (tests/scaled/), which kill and restart single services.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Dict, Iterable

from sqlalchemy import create_engine
from sqlalchemy.pool import NullPool

from deploy.config import ENDPOINTS, REPO, STORES, ScaledConfig, render_nginx
from launcher import commands, probes
from launcher.supervisor import SCALED, Part, Supervisor
from platform_core import schema

GRACE_SECONDS = 15


class ScaledStack(Supervisor):
    """The processes of one scaled deployment, listed in the order they are probed: Rasa's probe
    goes through nginx to an action server, so those come first."""

    def __init__(self, config: ScaledConfig, echo: bool = False):
        self.config = config
        super().__init__(
            self._services(),
            SCALED,
            env={**os.environ, **config.environment()},
            cwd=REPO,
            logs_dir=config.work / "logs",
            echo=echo,
            own_groups=True,
            grace_s=GRACE_SECONDS,
        )

    @property
    def services(self) -> Dict[str, Part]:
        return self.parts

    # ── the services ────────────────────────────────────────────────────────────────────────────
    def _services(self) -> Iterable[Part]:
        config = self.config
        nginx_work = config.work / "nginx"
        nginx = [
            _nginx(),
            "-p",
            str(nginx_work),
            "-c",
            str(nginx_work / "nginx.conf"),
            "-e",
            str(nginx_work / "error.log"),
        ]
        yield Part("nginx", nginx, probes.get_ok(f"{config.public_url}/healthz"))
        for number, port in enumerate(config.action_ports, 1):
            yield Part(
                f"actions-{number}",
                commands.action_server(port, config.actions_package),
                probes.actions(f"http://127.0.0.1:{port}", config.action_token),
            )
        if config.web_port:
            # nginx is the only way in: the page on the public listener, the console on the internal one
            web = commands.web_page(
                config.web_port, config.rasa_ports[0], socket_url=config.public_url, host="127.0.0.1"
            )
            yield Part("web", web, probes.get_ok(f"http://127.0.0.1:{config.web_port}/"))
        for number, port in enumerate(config.rasa_ports, 1):
            # the API token comes from RASA_API_TOKEN (config.environment()), never the command line
            rasa = commands.rasa(
                config.model, port, interface="127.0.0.1", cors=[config.public_url], endpoints=ENDPOINTS
            )
            yield Part(
                f"rasa-{number}",
                rasa,
                probes.rasa(f"http://127.0.0.1:{port}", config.api_token, f"healthcheck-rasa-{number}"),
            )

    # ── life cycle ─────────────────────────────────────────────────────────────────────────────
    def prepare(self) -> None:
        """Databases, folders and nginx.conf; checks the nginx configuration and the schemas."""
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


def prepare_databases(config: ScaledConfig) -> None:
    """Create each store's database if missing, and check the status and console schemas.

    Rasa creates its own ``events`` table (and copes with several instances racing to). The
    status and console tables are made and changed only by the migration step (make migrate-scaled,
    deploy/migrate.py), never by a start: a database not at the newest revision stops the start.
    """
    from deploy.migrate import SERVED, create_databases

    create_databases(config.pg_url, [config.database(store) for store in STORES])
    for store in SERVED:
        url = config.store_url(store, direct=True)
        engine = create_engine(url, future=True, hide_parameters=True, poolclass=NullPool)
        try:
            schema.check(engine, store)
        except schema.SchemaNotCurrent as error:
            raise RuntimeError(str(error)) from None
        finally:
            engine.dispose()


def _nginx() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if not found:
        raise RuntimeError("未找到 nginx。请先运行 make nginx（Debian：apt-get install nginx）。")
    return found
