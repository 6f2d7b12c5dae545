"""Start the whole assistant (actions, Rasa and the chat page, as make run does) for end-to-end tests and eval.

The command line, the free ports, the readiness check and the children's lookup are the launcher's.
"""

import os
import secrets
import signal
import subprocess
import time
from contextlib import contextmanager

import requests

from launcher import commands, probes
from launcher.supervisor import children
from tests.conftest import REPO

MODEL = os.environ.get("E2E_MODEL", str(REPO / "models" / "shaoguan-hukou.tar.gz"))
STARTUP_SECONDS = 240


class Stack:
    def __init__(self, tmp, model=MODEL, env=None):
        """``env``: extra environment for every process (e.g. a private STATUS_DB_URL)."""
        self.rasa_port, self.action_port, self.web_port = (
            commands.free_port(),
            commands.free_port(),
            commands.free_port(),
        )
        self.console_db_url = f"sqlite:///{tmp / 'console.db'}"
        self.kb_publish_dir = tmp / "kb"
        self.api_token = secrets.token_urlsafe(16)
        self.action_token = secrets.token_urlsafe(32)  # what Rasa sends the action server (actions/server.py)
        self.api_url = f"http://127.0.0.1:{self.rasa_port}"
        env = {
            **os.environ,
            "ACTION_ENDPOINT_URL": f"http://127.0.0.1:{self.action_port}/webhook",
            "TRACKER_DB_DIALECT": "sqlite",
            "TRACKER_DB": str(tmp / "tracker.db"),
            "CONSOLE_DB_URL": self.console_db_url,
            # Publishes the repo's current FAQ into the test's own folder, never into var/kb.
            "KB_PUBLISH_DIR": str(self.kb_publish_dir),
            "RASA_API_TOKEN": self.api_token,
            "ACTION_SERVER_TOKEN": self.action_token,
            "PYTHONPATH": str(REPO),
            **(env or {}),
        }
        self.log = open(tmp / "stack.log", "w")
        self.process = subprocess.Popen(
            commands.embedded(model, self.rasa_port, self.action_port, self.web_port),
            cwd=REPO,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        self.url = f"http://localhost:{self.rasa_port}/webhooks/rest/webhook"
        self.web_url = f"http://localhost:{self.web_port}/"

    def post(self, payload=None, data=None, sender="e2e"):
        if payload is None and data is None:
            raise ValueError("payload or data")
        if data is not None:
            return requests.post(self.url, data=data, headers={"Content-Type": "application/json"}, timeout=60)
        return requests.post(self.url, json=payload, timeout=60)

    def ask(self, text, sender="e2e"):
        response = self.post({"sender": sender, "message": text})
        assert response.status_code == 200, response.text
        replies = response.json()
        assert replies, f"empty reply to {text!r}"
        return "\n".join(r.get("text", "") for r in replies), replies

    def tracker(self, sender):
        """The conversation's tracker, from Rasa's HTTP API (as the staff console reads it)."""
        response = requests.get(
            f"{self.api_url}/conversations/{sender}/tracker", params={"token": self.api_token}, timeout=30
        )
        response.raise_for_status()
        return response.json()

    def child(self, marker):
        """The pid of the one make-run child whose command line contains ``marker`` (fault tests)."""
        found = [pid for pid, cmdline in children(self.process.pid) if marker in cmdline]
        assert len(found) == 1, f"{marker!r}: {found}"
        return found[0]

    def wait_until_ready(self):
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            assert self.process.poll() is None, "服务启动失败，见 stack.log"
            if probes.passes(lambda: probes.greets(self.url, "warmup")):
                return
            time.sleep(2)
        raise TimeoutError("服务未在限定时间内就绪")

    def stop(self):
        self.process.send_signal(signal.SIGINT)
        try:
            return self.process.wait(timeout=30)
        finally:
            self.log.close()


@contextmanager
def running_stack(tmp, model=MODEL, env=None):
    """A started and ready stack, stopped on exit (unless a test already stopped it)."""
    if not os.path.exists(model):
        raise FileNotFoundError(f"模型不存在：{model}（请先 make train）")
    stack = Stack(tmp, model, env)
    try:
        stack.wait_until_ready()
        yield stack
    finally:
        if stack.process.poll() is None:
            stack.stop()
