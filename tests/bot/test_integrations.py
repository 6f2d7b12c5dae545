"""Issue 17, finding 4: REST is for integrations, each with its own credential and its own
conversations; in production mode nothing else gets in, and the reverse proxy does not publish it
unless integrations are configured. (make run keeps REST open on loopback for local use and tests.)

The REST channel runs inside a real Rasa server app over real HTTP (tests/bot/test_wechat_channel.Server).
"""

import pytest
import requests
from sanic import Sanic

from bot.channels.integrations import Integrations, IntegrationsError, conversation_id, parse
from bot.channels.rest import ResidentRestInput
from platform_core.settings import Settings, get_settings, startup_problems
from tests.bot.test_wechat_channel import ANSWER, Server

CITY, HOTLINE = "c" * 40, "h" * 40
CONFIGURED = f"city-app={CITY}\nhotline = {HOTLINE}\n"


@pytest.fixture
def rest_server(monkeypatch):
    """A Rasa app whose REST channel read ``environ`` at start-up, as Rasa builds it."""
    test_mode, Sanic.test_mode = Sanic.test_mode, True
    started = []

    def start(**environ):
        for name in ("REST_INTEGRATIONS", "REST_INTEGRATIONS_FILE", "APP_MODE"):
            monkeypatch.delenv(name, raising=False)
        for name, value in environ.items():
            monkeypatch.setenv(name, value)
        get_settings.cache_clear()  # the channel reads the settings once, as Rasa starts
        server = Server(extra_channels=[ResidentRestInput()]).__enter__()
        started.append(server)
        return server

    yield start
    for server in started:
        server.__exit__()
    Sanic.test_mode = test_mode


def post(server, sender, token=None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return requests.post(
        f"http://127.0.0.1:{server.port}/webhooks/rest/webhook",
        json={"sender": sender, "message": "租房可以落户吗"},
        headers=headers,
        timeout=10,
    )


def test_with_integrations_each_needs_its_token_and_keeps_its_own_conversations(rest_server):
    server = rest_server(REST_INTEGRATIONS=CONFIGURED)
    assert post(server, "u1").status_code == 401  # no credential: nothing reaches Rasa
    assert post(server, "u1", token="x" * 40).status_code == 401
    city, hotline = post(server, "u1", token=CITY), post(server, "u1", token=HOTLINE)
    assert city.status_code == hotline.status_code == 200 and city.json()[0]["text"] == ANSWER
    # the same sender from two integrations: two conversations, neither the bare "u1"
    assert sorted({m.sender_id for m in server.agent.messages}) == ["city-app~u1", "hotline~u1"]


def test_production_without_integrations_lets_no_rest_request_in(rest_server):
    server = rest_server(APP_MODE="production", STATUS_HMAC_SECRET="s" * 40)
    refused = post(server, "u1")
    assert refused.status_code == 401 and "集成" in refused.json()["error"]
    assert server.agent.messages == []


def test_embedded_without_integrations_stays_open_for_local_use(rest_server):
    server = rest_server()
    assert post(server, "local-1").status_code == 200
    assert [m.sender_id for m in server.agent.messages] == ["local-1"]


def test_a_namespaced_id_must_still_fit(rest_server):
    server = rest_server(REST_INTEGRATIONS=CONFIGURED)
    assert post(server, "u" * 128, token=CITY).status_code == 400


@pytest.mark.parametrize(
    "text, message",
    [
        ("City=" + CITY, "集成名"),
        ("city=short", "太短"),
        (f"a={CITY},a={HOTLINE}", "重复"),
        (f"a={CITY},b={CITY}", "重复"),
    ],
)
def test_bad_entries_stop_the_start(text, message):
    with pytest.raises(IntegrationsError, match=message):
        parse(text)
    assert message in startup_problems({"REST_INTEGRATIONS": text})[0]  # the launchers' check, any mode


def test_tokens_are_read_from_a_file_and_matched_by_bearer_only(tmp_path):
    (tmp_path / "rest").write_text(f"# integrations\n{CONFIGURED}")
    integrations = Integrations.from_settings(Settings.from_env({"REST_INTEGRATIONS_FILE": str(tmp_path / "rest")}))
    assert integrations.required and integrations.identify(f"Bearer {HOTLINE}") == "hotline"
    assert integrations.identify(HOTLINE) is None and integrations.identify(f"Basic {HOTLINE}") is None
    assert conversation_id("hotline", "u1") == "hotline~u1"


def test_rasa_refuses_to_start_with_a_bad_integration(monkeypatch, tmp_path):
    from bot.rasa_main import StartupRefused, run_arguments

    monkeypatch.setenv("REST_INTEGRATIONS", "city=short")
    with pytest.raises(StartupRefused, match="REST_INTEGRATIONS"):
        run_arguments(["rasa", "run"])  # as Rasa starts: from the process's environment
    monkeypatch.delenv("REST_INTEGRATIONS")
    monkeypatch.setenv("REST_INTEGRATIONS_FILE", str(tmp_path / "missing"))
    with pytest.raises(StartupRefused, match="REST_INTEGRATIONS_FILE"):
        run_arguments(["rasa", "run"])


def test_the_reverse_proxy_publishes_rest_only_when_configured_in_production(tmp_path):
    from deploy.config import render_nginx
    from deploy.scaled import rest_published
    from tests.scaled.test_launcher import _config

    assert rest_published({}) and rest_published({"APP_MODE": "production", "REST_INTEGRATIONS": CONFIGURED})
    assert not rest_published({"APP_MODE": "production"})
    closed = render_nginx(_config(tmp_path, publish_rest=False), as_root=False)
    rest = closed.split("location /webhooks/rest/ {", 1)[1].split("}", 1)[0]
    assert "return 404;" in rest
    opened = render_nginx(_config(tmp_path), as_root=False).split("location /webhooks/rest/ {", 1)[1]
    assert "return 404;" not in opened.split("}", 1)[0]
