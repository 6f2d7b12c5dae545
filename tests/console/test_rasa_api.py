"""The console's Rasa HTTP API client against a small fake Rasa: exactly the calls the console
makes (URL-quoted ids, token as a query parameter), and a Chinese error for every failure."""

import socket

import aiohttp
import pytest

from console.rasa_api import RasaClient, RasaUnavailable
from tests.console.conftest import run
from tests.console.fake_rasa import FakeRasa

# Socket.io session ids and WeChat openids are URL-safe; an id with "/" and "?" must still
# reach the right tracker.
ODD_ID = "web/会话?x=1#2"
QUOTED = "/conversations/web%2F%E4%BC%9A%E8%AF%9D%3Fx%3D1%232"


async def _with_client(scenario, token=None, **client_args):
    rasa = await FakeRasa().start()
    client = RasaClient(rasa.url, rasa.token if token is None else token, **client_args)
    try:
        return await scenario(rasa, client)
    finally:
        await client.close()
        await rasa.close()


def test_transcript_reads_the_tracker_with_the_token():
    async def scenario(rasa, client):
        rasa.say(ODD_ID, "转人工", "request_human", 0.97, "好的，已为您转接人工服务")
        tracker = await client.transcript(ODD_ID)
        assert [e["event"] for e in tracker["events"]] == ["user", "bot"]
        [seen] = rasa.seen
        assert (seen.method, seen.raw_path) == ("GET", QUOTED + "/tracker")
        assert seen.query == {"token": rasa.token, "include_events": "AFTER_RESTART"}

    run(_with_client(scenario))


def test_take_over_pauses():
    async def scenario(rasa, client):
        await client.take_over(ODD_ID)
        [seen] = rasa.seen
        assert (seen.method, seen.raw_path, seen.body) == ("POST", QUOTED + "/tracker/events", [{"event": "pause"}])
        assert rasa.tracker(ODD_ID).paused

    run(_with_client(scenario))


def test_reply_sets_the_slot_then_runs_the_staff_reply_action_on_the_latest_channel():
    async def scenario(rasa, client):
        result = await client.reply(ODD_ID, "您好，我是12345工作人员")
        first, second = rasa.seen
        assert (first.raw_path, first.body) == (
            QUOTED + "/tracker/events",
            [{"event": "slot", "name": "staff_reply", "value": "您好，我是12345工作人员"}],
        )
        assert (second.raw_path, second.body) == (QUOTED + "/execute", {"name": "action_staff_reply"})
        assert second.query == {"token": rasa.token, "output_channel": "latest"}
        assert result["messages"] == [{"text": "【工作人员】您好，我是12345工作人员"}]

    run(_with_client(scenario))


def test_hand_back_resumes_then_runs_the_handback_action():
    async def scenario(rasa, client):
        await client.take_over("r1")
        await client.hand_back("r1")
        _, resume, execute = rasa.seen
        assert (resume.raw_path, resume.body) == ("/conversations/r1/tracker/events", [{"event": "resume"}])
        assert (execute.raw_path, execute.body) == ("/conversations/r1/execute", {"name": "action_handback"})
        assert execute.query["output_channel"] == "latest"
        assert not rasa.tracker("r1").paused

    run(_with_client(scenario))


def test_a_wrong_token_is_named_without_showing_it():
    async def scenario(rasa, client):
        with pytest.raises(RasaUnavailable) as refused:
            await client.take_over("r1")
        assert "RASA_API_TOKEN" in str(refused.value) and "wrong-token-value" not in str(refused.value)
        assert not rasa.tracker("r1").paused

    run(_with_client(scenario, token="wrong-token-value"))


def test_an_unknown_action_is_a_chinese_error():
    async def scenario(rasa, client):
        with pytest.raises(RasaUnavailable, match="HTTP 500"):
            await client._execute("r1", "action_missing")

    run(_with_client(scenario))


def _closed_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_rasa_not_running():
    async def scenario():
        client = RasaClient(f"http://127.0.0.1:{_closed_port()}", "t")
        try:
            with pytest.raises(RasaUnavailable, match="无法连接助手服务"):
                await client.transcript("r1")
        finally:
            await client.close()

    run(scenario())


def test_rasa_too_slow():
    async def scenario(rasa, client):
        rasa.delay = 2
        with pytest.raises(RasaUnavailable, match="超时"):
            await client.take_over("r1")

    run(_with_client(scenario, timeout=aiohttp.ClientTimeout(total=0.3)))


def test_api_not_enabled():
    # A Rasa started without --enable-api has no /conversations routes at all: 404.
    async def scenario(rasa, client):
        with pytest.raises(RasaUnavailable, match="--enable-api"):
            await client.transcript("r1")

    async def without_api(rasa, _):
        client = RasaClient(rasa.url + "/no-api", rasa.token)
        try:
            await scenario(rasa, client)
        finally:
            await client.close()

    run(_with_client(without_api))
