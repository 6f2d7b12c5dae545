"""Issue 17, finding 6: production mode refuses every default secret at start-up, in every process
that starts, with a message saying what to set; and no secret is ever on a command line.

(Tail tokens keyed per application number: tests/status_store/test_protect.py and tests/bot/test_guard.py.)
"""

import argparse
import os
import signal
import subprocess
import sys

import pytest

from platform_core.settings import DEV_SECRET, startup_problems, startup_refusal
from tests.conftest import REPO

STRONG = "f" * 64
MODEL = str(REPO / "models" / "shaoguan-hukou.tar.gz")


@pytest.mark.parametrize(
    "env, expected",
    [
        ({}, []),
        ({"APP_MODE": "embedded", "RASA_API_TOKEN": "x"}, []),  # embedded: anything goes, for local work
        ({"APP_MODE": "production", "STATUS_HMAC_SECRET": STRONG}, []),
        ({"APP_MODE": "production"}, ["STATUS_HMAC_SECRET"]),
        ({"APP_MODE": "production", "STATUS_HMAC_SECRET": DEV_SECRET}, ["开发默认密钥"]),
        ({"APP_MODE": "production", "STATUS_HMAC_SECRET": STRONG, "RASA_API_TOKEN": "rasaToken"}, ["RASA_API_TOKEN"]),
        (
            {"APP_MODE": "production", "STATUS_HMAC_SECRET": STRONG, "ACTION_SERVER_TOKEN": "short"},
            ["ACTION_SERVER_TOKEN"],
        ),
        ({"APP_MODE": "production", "STATUS_HMAC_SECRET": STRONG, "WECHAT_TOKEN": "t"}, ["WECHAT_AES_KEY"]),
        ({"APP_MODE": "production", "RASA_API_TOKEN": "unused-see-args"}, ["STATUS_HMAC_SECRET", "RASA_API_TOKEN"]),
        (
            {"APP_MODE": "production", "STATUS_HMAC_SECRET": STRONG, "SOCKETIO_REDIS_URL": "redis://10.0.0.5:6379/1"},
            ["SOCKETIO_REDIS_URL"],
        ),  # issue 17, finding 8: python-socketio's Redis channel
        (
            {
                "APP_MODE": "production",
                "STATUS_HMAC_SECRET": STRONG,
                "SOCKETIO_REDIS_URL": "redis://:pw@10.0.0.5:6379/1",
            },
            [],
        ),
        ({"APP_MODE": "prod"}, ["APP_MODE"]),
    ],
)
def test_production_names_every_default_or_missing_secret_at_once(env, expected):
    problems = startup_problems(env)
    assert len(problems) == len(expected) and all(
        word in p for word, p in zip(expected, problems, strict=False)
    ), problems
    assert (startup_refusal(env) is None) == (not expected)


def start(module_args, env, timeout=120):
    """Run ``python -m ...`` as an operator would; (exit code, stderr). A process still running at the
    timeout (it started instead of refusing) is killed with its children and counts as started."""
    environment = {**os.environ, "PYTHONPATH": str(REPO), **env}
    for name in ("STATUS_HMAC_SECRET", "RASA_API_TOKEN", "ACTION_SERVER_TOKEN", "WECHAT_TOKEN"):
        if name not in env:
            environment.pop(name, None)
    process = subprocess.Popen(
        [sys.executable, "-m", *module_args],
        cwd=REPO,
        env=environment,
        text=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        _, stderr = process.communicate(timeout=timeout)
        return process.returncode, stderr
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        return "started", ""


LAUNCHERS = {
    "make run": [
        "launcher.embedded",
        "--model",
        MODEL,
        "--rasa-port",
        "5391",
        "--action-port",
        "5392",
        "--web-port",
        "5393",
    ],
    "make run-scaled": [
        "deploy.scaled",
        "--model",
        MODEL,
        "--port",
        "5394",
        "--internal-port",
        "5395",
        "--rasa-ports",
        "5396",
        "--action-ports",
        "5397",
        "--web-port",
        "0",
    ],
    "action server": ["actions.server", "--actions", "actions", "--port", "5398"],
    "Rasa": ["bot.rasa_main", "run", "--model", MODEL, "--port", "5399", "--enable-api"],
    "web page and console": ["web.server", "--port", "5400", "--rasa-port", "5399"],
}


@pytest.mark.parametrize("name", LAUNCHERS)
def test_every_process_refuses_to_start_in_production_with_the_development_secret(name, tmp_path):
    env = {
        "APP_MODE": "production",
        "STATUS_HMAC_SECRET": DEV_SECRET,
        "ACTION_SERVER_TOKEN": "t" * 32,
        "RASA_API_TOKEN": "r" * 32,
        "SCALED_DB_PREFIX": "secrets_test",
        "POLICY_KB_DIR": str(REPO / "policy_kb" / "data"),
    }
    code, stderr = start(LAUNCHERS[name], env)
    assert code not in ("started", 0), f"{name} 在生产模式下用开发密钥启动了"
    assert "STATUS_HMAC_SECRET" in stderr and "开发默认密钥" in stderr, stderr[-2000:]


def test_no_launcher_puts_a_secret_on_a_command_line(monkeypatch, tmp_path):
    """``ps`` shows every process's arguments to every user of the host."""
    from deploy.config import Address, RedisTarget, ScaledConfig
    from deploy.stack import ScaledStack
    from launcher import embedded

    api, action = "api-token-" + "a" * 32, "action-token-" + "b" * 32
    monkeypatch.setenv("RASA_API_TOKEN", api)
    monkeypatch.setenv("ACTION_SERVER_TOKEN", action)
    monkeypatch.setenv("RASA_INTERFACE", "127.0.0.1")
    args = argparse.Namespace(model=MODEL, rasa_port=5005, action_port=5055, web_port=8080)
    config = ScaledConfig(
        model=MODEL,
        pg_url="postgresql://postgres@127.0.0.1:5432/test",
        db_prefix="x",
        redis=RedisTarget.parse("redis://127.0.0.1:6379/5"),
        public=Address("127.0.0.1", 8088),
        internal=Address("127.0.0.1", 8089),
        rasa_ports=[5105],
        action_ports=[5155],
        web_port=None,
        work=tmp_path,
        api_token=api,
        action_token=action,
    )
    argvs = [part.argv for part in embedded.parts(args)]
    monkeypatch.setattr("deploy.stack._nginx", lambda: "nginx")  # only its command line is read here
    argvs += [service.argv for service in ScaledStack(config).services.values()]
    assert argvs and not [argv for argv in argvs if any(api in arg or action in arg for arg in argv)]
    assert config.environment()["RASA_API_TOKEN"] == api  # the token travels in the environment instead


def test_rasa_takes_its_token_from_the_environment_or_a_file_inside_the_process(tmp_path, caplog):
    from bot.rasa_main import StartupRefused, run_arguments
    from platform_core.settings import Settings

    def run_with(argv, environ):
        return run_arguments(argv, Settings.from_env(environ))

    run = ["rasa", "run", "--enable-api"]
    assert run_with(run, {"RASA_API_TOKEN": "tok-from-env"}) == [*run, "--auth-token=tok-from-env"]
    (tmp_path / "token").write_text("-tok-from-file\n")
    assert run_with(run, {"RASA_API_TOKEN_FILE": str(tmp_path / "token")})[-1] == "--auth-token=-tok-from-file"
    assert run_with(["rasa", "--version"], {"RASA_API_TOKEN": "x"}) == ["rasa", "--version"]
    production = {"APP_MODE": "production", "STATUS_HMAC_SECRET": STRONG}
    with pytest.raises(StartupRefused, match="命令行"):
        run_with([*run, "--auth-token=x"], {**production, "RASA_API_TOKEN": "y" * 32})
    with pytest.raises(StartupRefused, match="RASA_API_TOKEN"):
        run_with(run, production)  # the HTTP API without a token
    with pytest.raises(StartupRefused, match="令牌文件"):
        run_with(run, {"RASA_API_TOKEN_FILE": str(tmp_path / "missing")})
    with caplog.at_level("WARNING"):
        assert run_with([*run, "-t", "x"], {}) == [*run, "-t", "x"]  # embedded: still runs, with a warning
    assert "ps" in caplog.text
