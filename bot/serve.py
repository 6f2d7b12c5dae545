"""Run the action server and the Rasa server together, in the foreground (make run).

Ctrl-C (or SIGTERM) stops both; if either dies, the other is stopped too, so the assistant is
never left half up.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import List

GRACE_SECONDS = 10


def _commands(args: argparse.Namespace) -> List[List[str]]:
    rasa = str(Path(sys.executable).with_name("rasa"))
    return [
        [rasa, "run", "actions", "--actions", "actions", "--port", str(args.action_port)],
        [rasa, "run", "--model", args.model, "--endpoints", "bot/endpoints.yml",
         "--credentials", "bot/credentials.yml", "--port", str(args.rasa_port)],
    ]


def _stop(processes: List[subprocess.Popen]) -> None:
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
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
    args = parser.parse_args()
    os.makedirs("var", exist_ok=True)
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    processes = [subprocess.Popen(cmd) for cmd in _commands(args)]
    print(f"韶关户籍政策助手启动中：REST http://localhost:{args.rasa_port}/webhooks/rest/webhook（Ctrl-C 停止）", flush=True)
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
