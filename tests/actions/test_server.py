"""actions/server.py as make run starts it: the shared secret on every call, loopback, body limits.

One real server (``python -m actions.server``) for the module; requests over HTTP as Rasa makes them.
"""

import json
import os
import socket
import subprocess
import sys
import time
import zlib

import pytest
import requests

from actions import server
from launcher.probes import GREETING_CALL  # what Rasa sends to run the greeting
from platform_core.settings import Settings
from tests.conftest import REPO

TOKEN = "unit-test-action-token-0123456789"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start(port, env, log):
    return subprocess.Popen(
        [sys.executable, "-m", "actions.server", "--actions", "actions", "--port", str(port)],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO), **env},
        stdout=log,
        stderr=subprocess.STDOUT,
    )


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    port = free_port()
    log_path = tmp_path_factory.mktemp("actions-server") / "actions.log"
    with open(log_path, "w") as log:
        process = start(port, {"ACTION_SERVER_TOKEN": TOKEN}, log)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            assert process.poll() is None, log_path.read_text()
            try:
                if requests.get(f"{url}/health", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                assert time.monotonic() < deadline, "action server did not start"
                time.sleep(0.3)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


def post(base, body, headers=None, token=TOKEN):
    headers = {"Content-Type": "application/json", **(headers or {})}
    if token is not None:
        headers[server.TOKEN_HEADER] = token
    return requests.post(f"{base}/webhook", data=body, headers=headers, timeout=30)


def greeting_body():
    return json.dumps(GREETING_CALL).encode()


def test_with_the_secret_the_action_runs(base):
    reply = post(base, greeting_body())
    assert reply.status_code == 200
    assert any("您好" in (r.get("text") or "") for r in reply.json()["responses"])


@pytest.mark.parametrize("token", [None, "", "wrong-token-wrong-token-wrong", TOKEN[:-1], TOKEN + "x"])
def test_without_the_secret_nothing_runs(base, token):
    reply = post(base, greeting_body(), token=token)
    assert reply.status_code == 401
    assert "您好" not in reply.text and GREETING_CALL["sender_id"] not in reply.text


def test_the_action_list_needs_the_secret_and_health_does_not(base):
    assert requests.get(f"{base}/actions", timeout=5).status_code == 401
    assert requests.get(f"{base}/actions", headers={server.TOKEN_HEADER: TOKEN}, timeout=5).status_code == 200
    assert requests.get(f"{base}/health", timeout=5).json() == {"status": "ok"}


def test_a_body_over_the_limit_is_refused(base):
    body = b'{"next_action": "action_smalltalk", "pad": "' + b"x" * server.MAX_BODY_BYTES + b'"}'
    try:
        status = post(base, body).status_code
    except requests.ConnectionError:  # Sanic may close the connection while the body is still coming
        status = 413
    assert status == 413
    assert post(base, greeting_body()).status_code == 200  # and keeps serving


def test_a_deflate_bomb_is_refused_and_a_small_deflate_body_still_works(base):
    bomb = zlib.compress(b" " * (server.MAX_BODY_BYTES * 4), 9)
    assert len(bomb) < 100_000
    assert post(base, bomb, {"Content-Encoding": "deflate"}).status_code == 413
    assert post(base, b"not zlib", {"Content-Encoding": "deflate"}).status_code == 400
    small = post(base, zlib.compress(greeting_body()), {"Content-Encoding": "deflate"})  # Rasa's option
    assert small.status_code == 200
    assert any("您好" in (r.get("text") or "") for r in small.json()["responses"])


@pytest.mark.parametrize("encoding", ["gzip", "br", "deflate, gzip"])
def test_other_content_encodings_are_refused(base, encoding):
    assert post(base, greeting_body(), {"Content-Encoding": encoding}).status_code == 415


def test_it_listens_on_loopback_only_by_default(base):
    assert Settings.from_env({}).action_server_host == "127.0.0.1"  # ACTION_SERVER_HOST unset
    port = int(base.rsplit(":", 1)[1])
    listening = open("/proc/net/tcp").read().splitlines()[1:] + open("/proc/net/tcp6").read().splitlines()[1:]
    local = [line.split()[1] for line in listening if line.split()[3] == "0A"]  # 0A: LISTEN
    on_port = [address for address in local if int(address.rsplit(":", 1)[1], 16) == port]
    assert on_port == ["0100007F:%04X" % port], on_port  # 127.0.0.1, nothing else


@pytest.mark.parametrize("value", [None, "", "short"])
def test_no_secret_no_start(tmp_path, value):
    env = {"ACTION_SERVER_TOKEN": value} if value is not None else {}
    environ = {k: v for k, v in os.environ.items() if k != "ACTION_SERVER_TOKEN"}
    done = subprocess.run(
        [sys.executable, "-m", "actions.server", "--port", str(free_port())],
        cwd=REPO,
        env={**environ, "PYTHONPATH": str(REPO), **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert "ACTION_SERVER_TOKEN" in done.stderr and "共享密钥" in done.stderr


def test_inflates_within_never_inflates_past_the_limit():
    assert server.inflates_within(zlib.compress(b"a" * 100), 100) is True
    assert server.inflates_within(zlib.compress(b"a" * 101), 100) is False
    assert server.inflates_within(b"\x00garbage", 100) is None
