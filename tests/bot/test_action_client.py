"""The action endpoint reuses its connections, keeps Rasa's settings, and survives a restarted server."""

import asyncio

from aiohttp import web
from rasa.core.utils import AvailableEndpoints
from rasa.utils.endpoints import EndpointConfig

from bot.action_client import IDLE_S, KeepAliveEndpointConfig, keep_alive


async def _server(peers: list, port: int = 0) -> web.AppRunner:
    async def webhook(request: web.Request) -> web.Response:
        peers.append(request.transport.get_extra_info("peername")[1])  # the client's port: one per connection
        body = await request.json()
        return web.json_response(
            {"events": [], "responses": [{"text": body["next_action"]}], "token": request.query.get("token")}
        )

    app = web.Application()
    app.router.add_post("/webhook", webhook)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    return runner


def _port(runner: web.AppRunner) -> int:
    return runner.addresses[0][1]


def test_calls_share_one_connection_and_a_restarted_server_is_reached_again():
    async def scenario():
        peers: list = []
        runner = await _server(peers)
        port = _port(runner)
        endpoint = keep_alive(EndpointConfig(f"http://127.0.0.1:{port}/webhook", token="s3cret"))
        replies = [await endpoint.request(json={"next_action": f"action_{n}"}, method="post") for n in range(5)]
        await runner.cleanup()  # the action server stops (restart, crash) …
        runner = await _server(peers, port)  # … and is back on the same port
        after_restart = await endpoint.request(json={"next_action": "action_after"}, method="post")
        await endpoint.close()
        await runner.cleanup()
        return peers, replies, after_restart

    peers, replies, after_restart = asyncio.run(scenario())
    assert [r["responses"][0]["text"] for r in replies] == [f"action_{n}" for n in range(5)]
    assert {r["token"] for r in replies} == {"s3cret"}  # Rasa's token parameter still sent
    assert len(set(peers[:5])) == 1  # five calls, one connection (stock Rasa: five)
    assert after_restart["responses"][0]["text"] == "action_after"
    assert peers[5] != peers[0]  # a new connection to the new server


def test_the_action_endpoint_from_endpoints_yml_keeps_alive_and_its_settings(tmp_path, unpatched_rasa_after):
    from bot.rasa_main import patch_rasa

    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text(
        "action_endpoint:\n  url: http://127.0.0.1:5055/webhook\n  token: abc\n"
        "nlg:\n  url: http://127.0.0.1:5056/nlg\n",
        encoding="utf-8",
    )
    patch_rasa()
    read = AvailableEndpoints.read_endpoints(str(endpoints))
    assert isinstance(read.action, KeepAliveEndpointConfig)
    assert (read.action.url, read.action.token) == ("http://127.0.0.1:5055/webhook", "abc")
    assert type(read.nlg) is EndpointConfig  # only the action server's calls change
    assert keep_alive(None) is None and keep_alive(read.action) is read.action
    assert IDLE_S < 5  # below Sanic's keep-alive timeout: never a request on a connection it is closing
