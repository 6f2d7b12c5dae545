"""The scaled launcher's pure parts: configuration, the nginx file, and the restart loop."""

import re
import subprocess
from pathlib import Path

import pytest

from deploy.config import ATOMIC_LOCK_STORE, Address, RedisTarget, ScaledConfig, render_nginx


def _config(tmp_path, **overrides):
    values = dict(
        model="m.tar.gz",
        pg_url="postgresql://app:pw@db.internal:5433/postgres",
        db_prefix="shaoguan_scaled",
        redis=RedisTarget.parse("redis://:secret@cache:6380/5"),
        public=Address("127.0.0.1", 8088),
        internal=Address("127.0.0.1", 8089),
        rasa_ports=[5105, 5106],
        action_ports=[5155, 5156],
        web_port=8087,
        work=tmp_path,
        api_token="token",
    )
    return ScaledConfig(**{**values, **overrides})


def test_every_process_gets_the_same_stores_and_token(tmp_path):
    env = _config(tmp_path).environment()
    assert env["TRACKER_DB_HOST"] == "db.internal" and env["TRACKER_DB_PORT"] == "5433"
    assert env["TRACKER_DB_NAME"] == "shaoguan_scaled_tracker" and env["TRACKER_DB_PASSWORD"] == "pw"
    assert env["STATUS_DB_URL"] == "postgresql://app:pw@db.internal:5433/shaoguan_scaled_status"
    assert env["CONSOLE_DB_URL"].endswith("/shaoguan_scaled_console")
    assert env["DB_MIGRATIONS"] == "explicit"  # make migrate-scaled migrates; the processes only check
    assert (env["REDIS_HOST"], env["REDIS_PORT"], env["REDIS_DB"], env["REDIS_PASSWORD"]) == (
        "cache",
        "6380",
        "5",
        "secret",
    )
    assert env["LOCK_STORE_TYPE"] == ATOMIC_LOCK_STORE and env["RASA_API_TOKEN"] == "token"
    assert env["ACTION_ENDPOINT_URL"] == "http://127.0.0.1:8089/webhook"
    # Rasa sends it and every action server checks it (actions/server.py): one per deployment start.
    assert len(env["ACTION_SERVER_TOKEN"]) >= 32 and env["ACTION_SERVER_TOKEN"] != _config(tmp_path).action_token
    # Rasa trusts the one proxy in front of it for the client's address (the status lookup's per-client limit).
    assert env["SANIC_PROXIES_COUNT"] == "1"


def test_a_database_prefix_must_be_a_plain_identifier(tmp_path):
    with pytest.raises(ValueError):
        _config(tmp_path, db_prefix='x"; DROP DATABASE test; --')


def test_nginx_config_is_complete_and_valid(tmp_path):
    text = render_nginx(_config(tmp_path), as_root=False)
    assert not re.search(r"@[A-Z_]+@", text)  # every placeholder filled
    assert "hash $remote_addr consistent" in text and "hash $arg_openid consistent" in text
    assert text.count("server 127.0.0.1:5105") == 4 and "server 127.0.0.1:5156" in text
    assert "系统繁忙" in text and "12345" in text  # nginx's own reply when no instance answers
    assert "non_idempotent" not in text.split("proxy_next_upstream ", 1)[1].split(";")[0]
    socket_io = text.split("location /socket.io/", 1)[1].split("}", 1)[0]
    assert "X-Forwarded-For $proxy_add_x_forwarded_for" in socket_io  # its own headers inherit none
    # issue 17, finding 8: what Sanic 21.12 and aiohttp 3.9.5 must never see (SECURITY.md)
    public = text.split("listen 127.0.0.1:8088;", 1)[1].split("listen 127.0.0.1:8089;", 1)[0]
    assert "if ($compressed_request)" in public and "return 415" in public
    for limit in ("client_header_timeout 10s", "client_body_timeout 10s", "large_client_header_buffers 4 8k"):
        assert limit in text
    web = text.split("location / {", 1)[1].split("}", 1)[0]
    assert "proxy_request_buffering on" in web
    # issue 17, finding 5: the console on a listener of its own, never routed by the public one
    assert "location /staff {\n            return 404;" in public
    staff = text.split("listen 127.0.0.1:8090;", 1)[1]
    assert "location /staff {\n            proxy_pass http://web;" in staff and "rasa_api" not in staff
    conf = tmp_path / "nginx" / "nginx.conf"
    (tmp_path / "nginx" / "tmp").mkdir(parents=True)
    conf.write_text(text)
    nginx = Path("/usr/sbin/nginx")
    if not nginx.exists():
        pytest.skip("nginx 未安装（make nginx）")
    check = subprocess.run(
        [
            str(nginx),
            "-t",
            "-q",
            "-p",
            str(tmp_path / "nginx"),
            "-c",
            str(conf),
            "-e",
            str(tmp_path / "nginx" / "error.log"),
        ],
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, check.stderr


def test_the_scaled_stack_is_the_launchers_supervisor_with_the_scaled_policy(tmp_path, monkeypatch):
    """Restarting is launcher/supervisor.py's (tests/launcher/test_supervisor.py kills its parts)."""
    from deploy.stack import ScaledStack
    from launcher.supervisor import SCALED

    monkeypatch.setattr("deploy.stack._nginx", lambda: "nginx")  # only its command line is read here
    stack = ScaledStack(_config(tmp_path))
    assert stack.policy is SCALED and stack.own_groups and stack.logs_dir == tmp_path / "logs"
    # Rasa's probe goes through nginx to an action server: those are probed first.
    assert list(stack.services) == ["nginx", "actions-1", "actions-2", "web", "rasa-1", "rasa-2"]
    assert stack.services["rasa-1"].argv[2:4] == ["bot.rasa_main", "run"]
