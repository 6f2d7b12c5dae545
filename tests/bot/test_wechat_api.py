"""The customer-service sender against a fake WeChat API on loopback (no network)."""

import asyncio
import json

import pytest
from aiohttp import web

from bot.channels.wechat_api import CustomerServiceError, CustomerServiceSender


class FakeWeChatApi:
    def __init__(self, send_errors=()):
        self.token_requests, self.sent, self.send_errors, self.issued = [], [], list(send_errors), 0

    async def token(self, request):
        self.token_requests.append(dict(request.query))
        self.issued += 1
        return web.json_response({"access_token": f"TOKEN{self.issued}", "expires_in": 7200})

    async def send(self, request):
        raw = await request.read()
        self.sent.append((request.query["access_token"], raw))
        errcode = self.send_errors.pop(0) if self.send_errors else 0
        # WeChat answers JSON as text/plain.
        return web.Response(text=json.dumps({"errcode": errcode, "errmsg": "x"}), content_type="text/plain")


async def run_with_api(api, scenario):
    app = web.Application()
    app.router.add_get("/cgi-bin/token", api.token)
    app.router.add_post("/cgi-bin/message/custom/send", api.send)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    now = [0.0]
    sender = CustomerServiceSender("wxapp", "secret", api_base=f"http://127.0.0.1:{port}", clock=lambda: now[0])
    try:
        await scenario(sender, now)
    finally:
        await sender.close()
        await runner.cleanup()


def test_token_is_fetched_once_cached_and_refreshed_before_expiry():
    api = FakeWeChatApi()

    async def scenario(sender, now):
        await asyncio.gather(*(sender.send_text("openid1", f"答复{i}") for i in range(3)))
        assert len(api.token_requests) == 1  # concurrent senders share one fetch
        now[0] = 7200 - 300  # within the safety margin: fetch a fresh one
        await sender.send_text("openid1", "再答复")

    asyncio.run(run_with_api(api, scenario))
    assert api.token_requests[0] == {"grant_type": "client_credential", "appid": "wxapp", "secret": "secret"}
    assert [token for token, _ in api.sent] == ["TOKEN1"] * 3 + ["TOKEN2"]
    body = api.sent[-1][1]
    assert "再答复".encode() in body  # real UTF-8, not \\u escapes (WeChat would show those literally)
    assert json.loads(body) == {"touser": "openid1", "msgtype": "text", "text": {"content": "再答复"}}


def test_a_stale_token_is_refreshed_once_and_other_errors_raise():
    api = FakeWeChatApi(send_errors=[40001, 0, 45015])

    async def scenario(sender, _):
        await sender.send_text("openid1", "答复")
        with pytest.raises(CustomerServiceError) as error:
            await sender.send_text("openid1", "答复")
        assert error.value.errcode == 45015 and "答复" not in str(error.value)

    asyncio.run(run_with_api(api, scenario))
    assert [token for token, _ in api.sent] == ["TOKEN1", "TOKEN2", "TOKEN2"]
