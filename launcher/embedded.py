"""Run the action server, the Rasa server and the web chat page together, in the foreground (make run).

A part that crashes (an out-of-memory kill, a bug) is started again, after a pause that doubles
with each crash (0.5 s up to 10 s), so a one-off crash costs residents seconds and a part that
cannot start does not spin. Only when one part crashes ``CRASH_LIMIT`` times within
``CRASH_WINDOW_S`` does the supervisor give up: it says so, stops everything and exits 1, because a
part that keeps dying needs a person. While the action server is down, Rasa's channels answer
residents 系统繁忙 with the hotline (bot/channels/guard.py). Ctrl-C (or SIGTERM) stops all three.

With APP_MODE=production and a default or missing secret nothing starts (status_store.settings).
Secrets reach the children in the environment only, never on a command line (``ps`` shows those to
every user of the host): bot.rasa_main reads the API token from RASA_API_TOKEN.
"""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import subprocess
import sys
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Callable, Deque, Dict, List, Optional

GRACE_SECONDS = 10
BACKOFF_FIRST_S, BACKOFF_MAX_S = 0.5, 10.0
CRASH_LIMIT, CRASH_WINDOW_S = 5, 60.0
POLL_S = 0.2
# The channels in bot/credentials.yml read these; Rasa refuses to start if one is unset, and an
# empty WeChat token simply turns that channel off (503).
EMBEDDED_DEFAULTS = {
    "TRACKER_DB_DIALECT": "sqlite",
    "TRACKER_DB": "var/tracker.db",
    "WECHAT_TOKEN": "",
    "WECHAT_APP_ID": "",
    "WECHAT_APP_SECRET": "",
    "WECHAT_AES_KEY": "",
    "SOCKETIO_REDIS_URL": "",
}


class GaveUp(RuntimeError):
    """A part crashed too often to go on restarting it; the message names it."""


def _raise_interrupt(*_: object) -> None:
    raise KeyboardInterrupt


def backoff(crashes: int) -> float:
    """Seconds to wait before restarting a part that crashed ``crashes`` times within the window."""
    return min(BACKOFF_FIRST_S * 2 ** max(crashes - 1, 0), BACKOFF_MAX_S)


@dataclass
class Child:
    """One supervised process: its label (as the operator reads it), command, and recent crashes."""

    label: str
    argv: List[str]
    process: Optional[subprocess.Popen] = None
    crashes: Deque[float] = field(default_factory=deque)
    restart_at: Optional[float] = None

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None


class Supervisor:
    """Starts the children, restarts the ones that die (with backoff), stops them all on request."""

    def __init__(self, commands: Dict[str, List[str]], clock: Callable[[], float] = time.monotonic):
        self.children = [Child(label, argv) for label, argv in commands.items()]
        self._clock = clock

    def start(self) -> None:
        for child in self.children:
            child.process = subprocess.Popen(child.argv)

    def check(self) -> None:
        """Note the children that died and restart those whose pause is over; GaveUp if one keeps dying."""
        now = self._clock()
        for child in self.children:
            if child.running:
                continue
            if child.restart_at is None:
                self._crashed(child, now)
            elif now >= child.restart_at:
                child.restart_at = None
                child.process = subprocess.Popen(child.argv)
                print(f"{child.label}已重新启动。", file=sys.stderr, flush=True)

    def _crashed(self, child: Child, now: float) -> None:
        child.crashes.append(now)
        while child.crashes and child.crashes[0] <= now - CRASH_WINDOW_S:
            child.crashes.popleft()
        code = child.process.returncode if child.process else None
        if len(child.crashes) >= CRASH_LIMIT:
            raise GaveUp(f"{child.label}在 {CRASH_WINDOW_S:.0f} 秒内意外退出 {len(child.crashes)} 次（退出码 {code}）")
        delay = backoff(len(child.crashes))
        child.restart_at = now + delay
        # "告警" is what the operators' log alerting matches on (as in deploy/scaled.py).
        print(f"告警：{child.label}意外退出（退出码 {code}），{delay:.1f} 秒后重启。", file=sys.stderr, flush=True)

    def run(self) -> int:
        """Supervise until Ctrl-C/SIGTERM (0) or until a part keeps crashing (1); stops everything."""
        try:
            self.start()
            while True:
                self.check()
                time.sleep(POLL_S)
        except GaveUp as error:
            print(f"告警：{error}，已放弃重启，正在停止全部服务。请查看上面的日志。", file=sys.stderr, flush=True)
            return 1
        except KeyboardInterrupt:
            print("正在停止……", flush=True)
            return 0
        finally:
            self.stop()

    def stop(self) -> None:
        processes = [child.process for child in self.children if child.process is not None]
        for process in processes:
            if process.poll() is None:
                # SIGTERM, not SIGINT: a shell starting us in the background makes children ignore SIGINT.
                process.terminate()
        deadline = time.monotonic() + GRACE_SECONDS
        for process in processes:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _commands(args: argparse.Namespace) -> Dict[str, List[str]]:
    # The chat page's origin may call Rasa's socketio endpoint; space-separated for several.
    origins = os.environ.get("WEB_ORIGIN", f"http://localhost:{args.web_port}").split()
    web = [sys.executable, "-m", "web.server", "--port", str(args.web_port), "--rasa-port", str(args.rasa_port)]
    if os.environ.get("WEBCHAT_SOCKET_URL"):
        web += ["--socket-url", os.environ["WEBCHAT_SOCKET_URL"]]
    return {
        # actions.server is `rasa run actions` on loopback, checking the shared secret on every call.
        "动作服务器": [sys.executable, "-m", "actions.server", "--actions", "actions", "--port", str(args.action_port)],
        # bot.rasa_main is `rasa` with tracker-store failures made visible (see its docstring).
        # Rasa's HTTP API (trackers, pause/resume, execute) is for the staff console only: token-protected
        # (bot.rasa_main adds the token from RASA_API_TOKEN inside the process) and, with the channels,
        # bound to loopback; a reverse proxy publishes only the channels.
        "Rasa 服务": [
            sys.executable,
            "-m",
            "bot.rasa_main",
            "run",
            "--model",
            args.model,
            "--endpoints",
            "bot/endpoints.yml",
            "--credentials",
            "bot/credentials.yml",
            "--port",
            str(args.rasa_port),
            "--cors",
            *origins,
            "--interface",
            os.environ["RASA_INTERFACE"],
            "--enable-api",
        ],
        "网页服务": web,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", required=True)
    parser.add_argument("--rasa-port", type=int, default=5005)
    parser.add_argument("--action-port", type=int, default=5055)
    parser.add_argument("--web-port", type=int, default=8080)
    args = parser.parse_args()
    from bot.channels import integrations
    from status_store.settings import startup_refusal

    refusal = startup_refusal(extra=integrations.problems(os.environ))
    if refusal:
        print(refusal, file=sys.stderr)
        return 2
    os.makedirs("var", exist_ok=True)
    for name, value in EMBEDDED_DEFAULTS.items():
        os.environ.setdefault(name, value)
    os.environ.setdefault("ACTION_ENDPOINT_URL", f"http://127.0.0.1:{args.action_port}/webhook")
    os.environ.setdefault("RASA_INTERFACE", "127.0.0.1")
    os.environ.setdefault("RASA_API_TOKEN", secrets.token_urlsafe(32))  # a new one per start unless given
    # Rasa sends it (bot/endpoints.yml) and the action server checks it (actions/server.py); in the
    # environment only, never on a command line.
    if not os.environ.get("ACTION_SERVER_TOKEN"):
        os.environ["ACTION_SERVER_TOKEN"] = secrets.token_urlsafe(32)
    os.environ.setdefault("RASA_API_URL", f"http://127.0.0.1:{args.rasa_port}")
    # Both signals stop everything, even when a non-interactive shell started us with SIGINT ignored.
    signal.signal(signal.SIGTERM, _raise_interrupt)
    signal.signal(signal.SIGINT, _raise_interrupt)
    if "POLICY_KB_DIR" not in os.environ:
        # Residents get the published knowledge base (make faq-publish), not whatever is being edited.
        # In a child process: publishing loads jieba, bm25s and scipy, 150 MB this supervisor would keep.
        ensured = subprocess.run([sys.executable, "-m", "policy_kb.publish", "ensure"], capture_output=True, text=True)
        if ensured.returncode != 0:
            print(ensured.stderr, file=sys.stderr)
            return 1
        os.environ["POLICY_KB_DIR"] = ensured.stdout.strip().splitlines()[-1]
    supervisor = Supervisor(_commands(args))
    print(
        f"韶关户籍政策助手启动中：网页 http://localhost:{args.web_port}/ ，"
        f"REST http://localhost:{args.rasa_port}/webhooks/rest/webhook（Ctrl-C 停止）",
        flush=True,
    )
    return supervisor.run()


if __name__ == "__main__":
    raise SystemExit(main())
