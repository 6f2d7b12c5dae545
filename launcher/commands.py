"""The command line of every process the assistant runs, in one place.

Secrets never appear here: they reach each process in its environment (``ps`` shows command lines
to every user of the host). bot.rasa_main adds the API token from RASA_API_TOKEN inside the
process, and the action server reads ACTION_SERVER_TOKEN.
"""

from __future__ import annotations

import socket
import sys
from pathlib import Path
from typing import List, Optional, Sequence, Union

from platform_core.paths import REPO

ENDPOINTS = REPO / "bot" / "endpoints.yml"
CREDENTIALS = REPO / "bot" / "credentials.yml"

# The modules each process runs (tests and the benchmark find a process by them).
ACTION_SERVER = "actions.server"
RASA = "bot.rasa_main"
WEB_PAGE = "web.server"
EMBEDDED = "launcher.embedded"

PathLike = Union[str, Path]


def action_server(port: int, package: str = "actions") -> List[str]:
    """``rasa run actions`` on loopback, checking the shared secret on every call (actions/server.py)."""
    return [sys.executable, "-m", ACTION_SERVER, "--actions", package, "--port", str(port)]


def rasa(
    model: PathLike,
    port: int,
    *,
    interface: str,
    cors: Sequence[str],
    endpoints: PathLike = ENDPOINTS,
    credentials: PathLike = CREDENTIALS,
) -> List[str]:
    """``rasa run`` with the channels and Rasa's HTTP API (for the staff console only: token-protected,
    the token added inside the process by bot.rasa_main, which also makes tracker-store failures
    errors and alerts). ``cors``: the origins whose chat page may call the socketio channel."""
    return [
        sys.executable,
        "-m",
        RASA,
        "run",
        "--model",
        str(model),
        "--endpoints",
        str(endpoints),
        "--credentials",
        str(credentials),
        "--port",
        str(port),
        "--interface",
        interface,
        "--cors",
        *cors,
        "--enable-api",
    ]


def web_page(port: int, rasa_port: int, *, socket_url: Optional[str] = None, host: Optional[str] = None) -> List[str]:
    """The chat page and the staff console (web/server.py); ``host``: the interface (default: all)."""
    argv = [sys.executable, "-m", WEB_PAGE, "--port", str(port), "--rasa-port", str(rasa_port)]
    if socket_url:
        argv += ["--socket-url", socket_url]
    if host:
        argv += ["--host", host]
    return argv


def embedded(model: PathLike, rasa_port: int, action_port: int, web_port: int) -> List[str]:
    """make run's supervisor itself, for the tests and the benchmark that start the whole assistant."""
    return [
        sys.executable,
        "-m",
        EMBEDDED,
        "--model",
        str(model),
        "--rasa-port",
        str(rasa_port),
        "--action-port",
        str(action_port),
        "--web-port",
        str(web_port),
    ]


def free_port() -> int:
    """A TCP port nothing listens on now (tests and the benchmark run beside a live assistant)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
