"""Run the action server, the Rasa server and the web chat page together, in the foreground (make run).

Ctrl-C (or SIGTERM) stops all three; if any dies, the others are stopped too, so the assistant is
never left half up.
"""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import List

GRACE_SECONDS = 10
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


def _raise_interrupt(*_: object) -> None:
    raise KeyboardInterrupt


def _commands(args: argparse.Namespace) -> List[List[str]]:
    rasa = str(Path(sys.executable).with_name("rasa"))
    # The chat page's origin may call Rasa's socketio endpoint; space-separated for several.
    origins = os.environ.get("WEB_ORIGIN", f"http://localhost:{args.web_port}").split()
    web = [sys.executable, "-m", "bot.web", "--port", str(args.web_port), "--rasa-port", str(args.rasa_port)]
    if os.environ.get("WEBCHAT_SOCKET_URL"):
        web += ["--socket-url", os.environ["WEBCHAT_SOCKET_URL"]]
    return [
        [rasa, "run", "actions", "--actions", "actions", "--port", str(args.action_port)],
        # bot.rasa_main is `rasa` with tracker-store failures made visible (see its docstring).
        # Rasa's HTTP API (trackers, pause/resume, execute) is for the staff console only: token-protected
        # and, with the channels, bound to loopback; a reverse proxy publishes only the channels.
        # "--auth-token=…" as one argument: a random token may start with "-", which argparse takes for an option.
        [sys.executable, "-m", "bot.rasa_main", "run", "--model", args.model, "--endpoints", "bot/endpoints.yml",
         "--credentials", "bot/credentials.yml", "--port", str(args.rasa_port), "--cors", *origins,
         "--interface", os.environ["RASA_INTERFACE"], "--enable-api", f"--auth-token={os.environ['RASA_API_TOKEN']}"],
        web,
    ]


def _stop(processes: List[subprocess.Popen]) -> None:
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", required=True)
    parser.add_argument("--rasa-port", type=int, default=5005)
    parser.add_argument("--action-port", type=int, default=5055)
    parser.add_argument("--web-port", type=int, default=8080)
    args = parser.parse_args()
    os.makedirs("var", exist_ok=True)
    for name, value in EMBEDDED_DEFAULTS.items():
        os.environ.setdefault(name, value)
    os.environ.setdefault("ACTION_ENDPOINT_URL", f"http://127.0.0.1:{args.action_port}/webhook")
    os.environ.setdefault("RASA_INTERFACE", "127.0.0.1")
    os.environ.setdefault("RASA_API_TOKEN", secrets.token_urlsafe(32))  # a new one per start unless given
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
    processes = [subprocess.Popen(cmd) for cmd in _commands(args)]
    print(f"韶关户籍政策助手启动中：网页 http://localhost:{args.web_port}/ ，"
          f"REST http://localhost:{args.rasa_port}/webhooks/rest/webhook（Ctrl-C 停止）", flush=True)
    try:
        while all(p.poll() is None for p in processes):
            time.sleep(0.5)
        print("有服务意外退出，正在停止全部服务。", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("正在停止……", flush=True)
        return 0
    finally:
        _stop(processes)


if __name__ == "__main__":
    raise SystemExit(main())
