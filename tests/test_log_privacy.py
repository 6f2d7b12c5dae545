"""Issue 17, finding 7: every failure path is forced, and no log line or error body holds a resident's words.

The resident gave a name, an address and an application number. Then, one by one: an action with a
bug that quotes them, an action whose knowledge base is gone, a status database that errors on the
query carrying the number, and a conversation database that refuses the events holding all of it.
The action servers run as make run starts them (``python -m actions.server``) and are read from
their log files; the tracker store is the one bot/endpoints.yml names (bot/tracker_store.py).
"""

import ast
import asyncio
import json
import logging
import os
import socket
import sqlite3
import subprocess
import sys
import time

import pytest
import requests

from status_store.privacy import tail_token
from tests.conftest import REPO

TOKEN = "log-privacy-test-token-0123456789"
SECRET = "log-privacy-test-status-secret-0123456789abcdef"
NAME, ADDRESS, NUMBER, OPENID = "王小明", "浈江区风度路88号", "SG2026110001", "oPrivacyTestOpenid0123456789"
TEXT = f"我叫{NAME}，住在{ADDRESS}，受理编号{NUMBER}"
WORDS = (NAME, ADDRESS, NUMBER, TEXT)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def leaked(text):
    """The resident's words in ``text``, as written or escaped as JSON (\\u738b…)."""
    forms = {form for word in WORDS for form in (word, json.dumps(word)[1:-1])}
    return sorted(form for form in forms if form in text)


def call(action, slots=None):
    return {
        "next_action": action,
        "sender_id": OPENID,
        "tracker": {
            "sender_id": OPENID,
            "slots": {"applicant": NAME, "address": ADDRESS, **(slots or {})},
            "events": [{"event": "user", "text": TEXT, "parse_data": {"intent": {"name": "check_status"}}}],
            "paused": False,
            "followup_action": None,
            "active_loop": {},
            "latest_action_name": "action_listen",
            "latest_message": {
                "text": TEXT,
                "intent": {"name": "check_status", "confidence": 1.0},
                "entities": [],
                "metadata": {},
            },
        },
        "domain": {},
    }


class ActionServer:
    """``python -m actions.server`` serving the real actions and the quoting bug, logging to a file."""

    def __init__(self, folder, env):
        self.port, self.log = free_port(), folder / "actions.log"
        command = [
            sys.executable,
            "-m",
            "actions.server",
            "--actions",
            "tests.actions.raising_actions",
            "--port",
            str(self.port),
        ]
        environment = {
            **os.environ,
            "PYTHONPATH": str(REPO),
            "ACTION_SERVER_TOKEN": TOKEN,
            "STATUS_HMAC_SECRET": SECRET,
            **env,
        }
        with open(self.log, "w") as log:
            self.process = subprocess.Popen(command, cwd=REPO, env=environment, stdout=log, stderr=subprocess.STDOUT)

    def wait(self):
        deadline = time.monotonic() + 120
        while True:
            assert self.process.poll() is None, self.log.read_text()
            try:
                if requests.get(f"http://127.0.0.1:{self.port}/health", timeout=2).status_code == 200:
                    return self
            except requests.RequestException:
                assert time.monotonic() < deadline, "action server did not start"
                time.sleep(0.3)

    def run(self, body):
        return requests.post(
            f"http://127.0.0.1:{self.port}/webhook", json=body, timeout=30, headers={"X-Action-Token": TOKEN}
        )

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=30)


def broken_status_db(path):
    """A status database whose applications table lacks every column a lookup reads."""
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE status_applications (id INTEGER PRIMARY KEY)")
    return f"sqlite:///{path}"


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    folder = tmp_path_factory.mktemp("log-privacy")
    (folder / "a").mkdir()
    (folder / "b").mkdir()
    normal = ActionServer(folder / "a", {"STATUS_DB_URL": broken_status_db(folder / "status.db")})
    no_kb = ActionServer(
        folder / "b",
        {"POLICY_KB_DIR": str(folder / "no-such-kb"), "STATUS_DB_URL": f"sqlite:///{folder / 'status-b.db'}"},
    )
    yield normal.wait(), no_kb.wait()
    for server in (normal, no_kb):
        if server.process.poll() is None:
            server.stop()


def test_an_action_bug_that_quotes_the_resident_gets_a_polite_reply_and_a_clean_log(servers):
    normal, _ = servers
    reply = normal.run(call("action_quote_and_raise"))
    assert reply.status_code == 200, reply.text  # not rasa-sdk's 500, whose body Rasa logs at ERROR
    assert not leaked(reply.text)
    body = reply.json()
    assert (
        body["events"] == [] and "系统繁忙" in body["responses"][0]["text"] and "12345" in body["responses"][0]["text"]
    )
    log = normal.log.read_text()
    assert "action_quote_and_raise" in log and "ValueError" in log  # the operator still learns what failed
    assert not leaked(log)


def test_a_status_database_error_quotes_no_application_number(servers):
    normal, _ = servers
    token = tail_token(SECRET.encode(), "12101X", NUMBER)
    reply = normal.run(call("action_check_status", {"application_no": NUMBER, "id_tail": token}))
    assert reply.status_code == 200 and "12345" in reply.text  # status_unavailable: the hotline
    log = normal.log.read_text()
    assert "申请进度库不可用" in log and "OperationalError" in log
    assert not leaked(log)


def test_a_missing_knowledge_base_still_gets_the_hotline(servers):
    _, no_kb = servers
    reply = no_kb.run(call("action_smalltalk"))
    assert reply.status_code == 200 and "12345" in reply.json()["responses"][0]["text"]
    assert not leaked(reply.text) and not leaked(no_kb.log.read_text())


def test_unknown_routes_and_bad_bodies_keep_their_status_without_the_request(servers):
    normal, _ = servers
    url = f"http://127.0.0.1:{normal.port}"
    missing = requests.post(f"{url}/no-such-route", json=call("x"), headers={"X-Action-Token": TOKEN}, timeout=10)
    garbled = requests.post(
        f"{url}/webhook",
        data=f"{{{TEXT}".encode(),
        timeout=10,
        headers={"X-Action-Token": TOKEN, "Content-Type": "application/json"},
    )
    assert (missing.status_code, garbled.status_code) == (404, 400)
    assert not leaked(missing.text + garbled.text) and not leaked(normal.log.read_text())


def test_a_conversation_database_error_quotes_none_of_the_events(tmp_path, caplog, monkeypatch):
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import SlotSet, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    from bot.rasa_main import AlertingTrackerStore, TrackerStoreUnavailable
    from bot.tracker_store import EventsTrackerStore  # as bot/endpoints.yml names it

    path = tmp_path / "tracker.db"
    with sqlite3.connect(path) as db:  # an events table that takes no data: every INSERT fails
        db.execute(
            "CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id VARCHAR(255) NOT NULL, "
            "type_name VARCHAR(255) NOT NULL, timestamp FLOAT, intent_name VARCHAR(255), "
            "action_name VARCHAR(255), data TEXT NOT NULL CHECK (length(data) < 10))"
        )
    store = AlertingTrackerStore(EventsTrackerStore(Domain.empty(), dialect="sqlite", db=str(path)))
    tracker = DialogueStateTracker.from_events(OPENID, [UserUttered(TEXT), SlotSet("applicant", NAME)])
    with caplog.at_level(logging.DEBUG):
        with pytest.raises(TrackerStoreUnavailable) as error:
            asyncio.run(store.save(tracker))
    assert "告警：对话库不可用" in caplog.text
    assert not leaked(caplog.text) and not leaked(str(error.value))


def test_every_engine_hides_its_parameters():
    """Every create_engine outside the tests passes hide_parameters=True; Rasa's gets it from bot/tracker_store.py."""
    from bot.tracker_store import engine_kwargs
    from platform_core.db import get_engine

    assert engine_kwargs("sqlite:///x.db")["hide_parameters"] is True
    assert engine_kwargs("postgresql://u@h/db")["hide_parameters"] is True
    assert get_engine("sqlite://").hide_parameters is True
    missing = []
    for path in REPO.rglob("*.py"):
        relative = path.relative_to(REPO)
        if relative.parts[0] in ("tests", ".venv", "var", "node_modules", "webchat"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "attr", getattr(node.func, "id", "")) == "create_engine"
            ):
                if not any(
                    k.arg == "hide_parameters" and getattr(k.value, "value", None) is True for k in node.keywords
                ):
                    missing.append(f"{relative}:{node.lineno}")
    assert missing == []
