"""Start, time, measure and stop the servers under test.

Our stack starts exactly as ``make run`` starts it (launcher/commands.py ``embedded``), on free ports, with a
private tracker database, status store and (optionally) knowledge-base copy, so a benchmark never
touches var/ of a running assistant. Memory is read from /proc (RSS as asked, and PSS, which
counts pages shared between processes once); psutil is not among the locked dependencies.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional

from bench.scripts import REPO, STATUS_FIXTURES
from launcher import commands
from launcher.commands import free_port
from launcher.supervisor import children, tree

STARTUP_LIMIT_S = 300
POLL_S = 0.25
STOP_GRACE_S = 30


def ask(url: str, text: str, sender: str, timeout: float = 30) -> List[dict]:
    """One message over REST (blocking; for start-up polling and one-off checks)."""
    body = json.dumps({"sender": sender, "message": text}).encode()
    request = urllib.request.Request(url, body, {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.loads(response.read())


def joined(replies: List[dict]) -> str:
    return "\n".join(str(r.get("text") or "") for r in replies)


@dataclass
class Server:
    """A started process tree, with the REST URL it answers on."""

    name: str
    process: subprocess.Popen
    url: str
    log_path: Path
    started_at: float  # time.monotonic() just before Popen
    ports: Dict[str, int] = field(default_factory=dict)  # process name -> port, for start-up milestones
    milestones: Dict[str, float] = field(default_factory=dict)  # "<name> listening" -> seconds after start

    def wait_for_answer(self, text: str, fragment: str, limit_s: float = STARTUP_LIMIT_S) -> float:
        """Seconds from process start until ``text`` is answered with ``fragment`` in the reply
        (noting on the way when each port started accepting connections)."""
        deadline = self.started_at + limit_s
        attempt = 0
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.process.returncode}; see {self.log_path}")
            self._note_listening()
            attempt += 1
            try:
                if fragment in joined(ask(self.url, text, f"coldstart-{attempt}", timeout=10)):
                    return time.monotonic() - self.started_at
            except (OSError, ValueError):
                pass  # not listening yet, or still loading
            time.sleep(POLL_S)
        raise TimeoutError(f"{self.name} did not answer within {limit_s:.0f} s; see {self.log_path}")

    def _note_listening(self) -> None:
        if self.ports and "children started" not in self.milestones and children(self.process.pid):
            # a supervisor's own start-up (imports, preparing data) before it starts anything
            self.milestones["children started"] = round(time.monotonic() - self.started_at, 2)
        for name, port in self.ports.items():
            if f"{name} listening" not in self.milestones and _accepts(port):
                self.milestones[f"{name} listening"] = round(time.monotonic() - self.started_at, 2)

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=STOP_GRACE_S)
            except subprocess.TimeoutExpired:
                _kill_tree(self.process.pid)
                self.process.wait()
        return self.process.returncode


def _accepts(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False


def _env(extra: Dict[str, str]) -> Dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "RASA_TELEMETRY_ENABLED": "false",
        "TF_CPP_MIN_LOG_LEVEL": "2",
        **extra,
    }


def import_status_fixtures(env: Dict[str, str]) -> None:
    """Load the test export into the private status store, the operator's way (status_store.importer)."""
    done = subprocess.run(
        [sys.executable, "-m", "status_store.importer", str(STATUS_FIXTURES)],
        cwd=REPO,
        env=_env(env),
        capture_output=True,
        text=True,
        timeout=300,
    )
    if done.returncode != 0:
        raise RuntimeError(f"status import failed:\n{done.stdout}{done.stderr}")


def start_stack(model: Path, folder: Path, env: Dict[str, str]) -> Server:
    """Our assistant (actions, Rasa, web page) as make run starts it; ``env`` adds e.g. STATUS_DB_URL."""
    rasa_port, action_port, web_port = free_port(), free_port(), free_port()
    env = {
        "ACTION_ENDPOINT_URL": f"http://127.0.0.1:{action_port}/webhook",
        "TRACKER_DB_DIALECT": "sqlite",
        "TRACKER_DB": str(folder / "tracker.db"),
        **env,
    }
    command = commands.embedded(model, rasa_port, action_port, web_port)
    server = _start("ours", command, folder / "stack.log", env, rasa_port)
    server.ports = {"action server": action_port, "rasa": rasa_port, "web page": web_port}
    return server


def start_bare(project: Path, model: Path, folder: Path) -> Server:
    """A plain ``rasa run`` of the trivial model, on Rasa's own REST channel."""
    project, model = project.resolve(), model.resolve()
    if not model.is_file():  # rasa run would silently fall back to models/, i.e. our own model
        raise FileNotFoundError(model)
    port = free_port()
    rasa = str(Path(sys.executable).with_name("rasa"))
    command = [
        rasa,
        "run",
        "--model",
        str(model),
        "--endpoints",
        str(project / "endpoints.yml"),
        "--credentials",
        str(project / "credentials.yml"),
        "--port",
        str(port),
    ]
    env = {"BARE_TRACKER_DB": str(folder / "bare-tracker.db")}
    return _start("bare", command, folder / "bare.log", env, port)


def _start(name: str, command: List[str], log_path: Path, env: Dict[str, str], port: int) -> Server:
    log = log_path.open("w")
    started = time.monotonic()
    # A session of its own: the whole tree can be found (and, if it hangs, stopped) by its group.
    process = subprocess.Popen(
        command, cwd=REPO, env=_env(env), stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    log.close()
    return Server(name, process, f"http://127.0.0.1:{port}/webhooks/rest/webhook", log_path, started)


def _kill_tree(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)  # the group this benchmark created with start_new_session
    except ProcessLookupError:
        pass


# ---------------------------------------------------------------- memory, from /proc


def _kb(path: Path, key: str) -> Optional[int]:
    try:
        for line in path.read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def _role(cmdline: List[str]) -> str:
    text = " ".join(cmdline)
    if commands.ACTION_SERVER in text or "run actions" in text:
        return "action server"
    if commands.EMBEDDED in text:
        return f"supervisor ({commands.EMBEDDED})"
    if commands.WEB_PAGE in text:
        return f"web page ({commands.WEB_PAGE})"
    if commands.RASA in text or "/rasa run" in text:  # bot.rasa_main is `rasa` with our additions
        return "rasa"
    return Path(cmdline[0]).name if cmdline else "?"


def memory(pid: int) -> dict:
    """RSS and PSS (MB) of every process in the tree under ``pid``, and their totals."""
    rows = []
    for member in tree(pid):
        proc = Path("/proc") / str(member)
        try:
            cmdline = [part for part in (proc / "cmdline").read_text().split("\0") if part]
        except OSError:
            continue
        rss, pss = _kb(proc / "status", "VmRSS"), _kb(proc / "smaps_rollup", "Pss")
        if rss is None:
            continue
        rows.append(
            {
                "role": _role(cmdline),
                "pid": member,
                "rss_mb": round(rss / 1024, 1),
                "pss_mb": round(pss / 1024, 1) if pss is not None else None,
            }
        )
    return {
        "processes": rows,
        "total_rss_mb": round(sum(r["rss_mb"] for r in rows), 1),
        "total_pss_mb": round(sum(r["pss_mb"] or 0 for r in rows), 1),
    }
