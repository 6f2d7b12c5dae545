"""The WeChat channel inside a real Rasa server app (rasa.core.run.configure_app), over real HTTP.

The agent is a fake that answers like the assistant; the customer-service API is a fake sender.
Nothing leaves the machine. ``server`` has an EncodingAESKey (安全模式, what production uses), so
``post`` encrypts and signs as WeChat does; ``plain_server`` has none (明文模式).
"""

import asyncio
import socket
import threading
import time
import uuid

import pytest
import requests
from rasa.core.run import _create_single_channel, configure_app
from sanic import Sanic
from wechatpy.crypto import WeChatCrypto

from bot.channels.wechat import WeChatInput
from bot.channels.wechat_api import CustomerServiceSender
from bot.channels.wechat_protocol import MAX_BODY_BYTES, parse_xml, signature
from bot.channels.wechat_seen import MemorySeen

TOKEN, APP_ID, AES_KEY = "spamtest", "wx2c2769f8efd9abc2", "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
ANSWER = "可以申请。\n依据：《韶关市人民政府关于进一步推进户籍制度改革的实施意见》第（三）条"
SECRET = "我的身份证号440202199001011234"
REPLY_TIMEOUT = 0.5
CRYPTO = WeChatCrypto(TOKEN, AES_KEY, APP_ID)
BUTTONS = [{"title": "租房落户", "payload": "/faq_settle_housing"}, {"title": "投靠亲属", "payload": "/faq_relatives"}]


class FakeAgent:
    """Stands in for rasa.core.agent.Agent.handle_message: records and answers like the assistant."""

    def __init__(self):
        self.messages = []

    async def handle_message(self, message):
        self.messages.append(message)
        out, sender, text = message.output_channel, message.sender_id, message.text
        if text == "慢慢答":
            await asyncio.sleep(REPLY_TIMEOUT * 2)
        if text.startswith("出错"):
            raise RuntimeError("action server down")
        if text == "选项":
            await out.send_text_with_buttons(sender, "您想了解：", BUTTONS)
        elif text.startswith("/"):
            await out.send_text_message(sender, f"按钮 {text}")
        else:
            await out.send_text_message(sender, ANSWER)

    def texts(self, sender):
        return [m.text for m in self.messages if m.sender_id == sender]


class FakeSender:
    def __init__(self):
        self.sent, self.arrived = [], threading.Event()

    async def send_text(self, openid, content):
        self.sent.append((openid, content))
        self.arrived.set()

    async def close(self):
        pass


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """Rasa's app with the channel registered by rasa.core.channels.channel.register, in a thread."""

    def __init__(self, extra_channels=(), aes_key=AES_KEY):
        self.agent, self.sender, self.port = FakeAgent(), FakeSender(), _free_port()
        channel = WeChatInput(
            TOKEN, APP_ID, aes_key, sender=self.sender, reply_timeout=REPLY_TIMEOUT, seen=MemorySeen()
        )
        self.channel, channels = channel, [channel, *extra_channels]
        self.app = configure_app(input_channels=channels, enable_api=True, port=self.port, use_uvloop=False)
        self.app.ctx.agent = self.agent
        self.url = f"http://127.0.0.1:{self.port}/webhooks/wechat/webhook"
        self.loop, self.started = asyncio.new_event_loop(), threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        asyncio.set_event_loop(self.loop)
        self.loop.run_until_complete(self._start())
        self.started.set()
        self.loop.run_forever()

    async def _start(self):
        self.server = await self.app.create_server(
            host="127.0.0.1", port=self.port, return_asyncio_server=True, access_log=False
        )
        await self.server.startup()
        await self.server.before_start()
        await self.server.after_start()

    def __enter__(self):
        self.thread.start()
        assert self.started.wait(30), "Sanic did not start"
        return self

    def __exit__(self, *_):
        async def stop():
            await self.server.before_stop()
            self.server.close()
            await self.server.wait_closed()
            # What Sanic's own runner does after its grace period, and the system when the process
            # exits: a client still waiting on a connection (a long-poll) learns at once it is gone.
            for connection in list(self.server.connections):
                connection.abort()
            await self.server.after_stop()

        asyncio.run_coroutine_threadsafe(stop(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)


@pytest.fixture(scope="module")
def server():
    test_mode, Sanic.test_mode = Sanic.test_mode, True  # allow another "rasa_server" app in this process
    try:
        with Server() as running:
            yield running
    finally:
        Sanic.test_mode = test_mode


@pytest.fixture(scope="module")
def plain_server(server):
    """A second server, without an EncodingAESKey (明文模式), beside ``server`` (which set test mode)."""
    with Server(aes_key="") as running:
        yield running


def signed_params(timestamp=None, nonce=None):
    timestamp, nonce = str(timestamp or int(time.time())), nonce or uuid.uuid4().hex[:10]
    return {"timestamp": timestamp, "nonce": nonce, "signature": signature(TOKEN, timestamp, nonce)}


def message_xml(openid, msg_type="text", msg_id=None, **fields):
    parts = [
        f"<ToUserName><![CDATA[gh_test]]></ToUserName><FromUserName><![CDATA[{openid}]]></FromUserName>",
        f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[{msg_type}]]></MsgType>",
    ]
    parts += [f"<{name}><![CDATA[{value}]]></{name}>" for name, value in fields.items()]
    if msg_id is not None:
        parts.append(f"<MsgId>{msg_id}</MsgId>")
    return ("<xml>" + "".join(parts) + "</xml>").encode("utf-8")


def safe_request(plain_xml, timestamp=None, nonce=None):
    """(params, body) of a 安全模式 push of ``plain_xml``, encrypted and signed as WeChat does."""
    params = signed_params(timestamp, nonce)
    encrypted = parse_xml(
        CRYPTO.encrypt_message(plain_xml.decode("utf-8"), params["nonce"], params["timestamp"]).encode()
    )
    body = (
        f"<xml><ToUserName><![CDATA[gh_test]]></ToUserName><Encrypt><![CDATA[{encrypted['Encrypt']}]]></Encrypt></xml>"
    )
    return {**params, "encrypt_type": "aes", "msg_signature": encrypted["MsgSignature"]}, body.encode()


def post(server, body, params=None):
    """POST ``body`` as WeChat would: encrypted for ``server``, signed plain XML for ``plain_server``;
    with ``params`` given, exactly as given."""
    if params is None and server.channel.crypto is not None:
        params, body = safe_request(body)
    return requests.post(server.url, params=signed_params() if params is None else params, data=body, timeout=10)


def reply_content(response):
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/xml")
    fields = parse_xml(response.content)
    if "Encrypt" in fields:
        fields = parse_xml(
            CRYPTO.decrypt_message(response.text, fields["MsgSignature"], fields["TimeStamp"], fields["Nonce"]).encode()
        )
    assert fields["MsgType"] == "text" and fields["FromUserName"] == "gh_test"
    return fields["Content"]


def new_openid():
    return "o" + uuid.uuid4().hex


def test_rasa_builds_the_channel_from_credentials():
    channel = _create_single_channel(
        "bot.channels.wechat.WeChatInput", {"token": TOKEN, "app_id": APP_ID, "app_secret": "s", "aes_key": AES_KEY}
    )
    assert channel.name() == "wechat" and channel.url_prefix() == "wechat"
    assert isinstance(channel.conversations._sender, CustomerServiceSender)
    assert WeChatInput.from_credentials({"token": "", "app_id": "", "app_secret": "", "aes_key": ""}).crypto is None
    with pytest.raises(ValueError, match="43"):
        WeChatInput.from_credentials({"token": TOKEN, "app_id": APP_ID, "aes_key": "short"})


def test_url_verification_echoes_only_with_a_valid_signature(server):
    ok = requests.get(server.url, params={**signed_params(), "echostr": "4567"}, timeout=10)
    assert (ok.status_code, ok.text) == (200, "4567")
    bad = requests.get(server.url, params={**signed_params(), "signature": "0" * 40, "echostr": "4567"}, timeout=10)
    missing = requests.get(server.url, params={"echostr": "4567"}, timeout=10)
    assert (bad.status_code, missing.status_code) == (403, 403) and "4567" not in bad.text + missing.text


def test_signed_text_gets_an_xml_answer_from_rasa(server):
    openid = new_openid()
    response = post(server, message_xml(openid, Content="租房可以落户吗", msg_id=1001))
    assert reply_content(response) == ANSWER
    assert server.agent.texts(openid) == ["租房可以落户吗"]
    assert [m.input_channel for m in server.agent.messages if m.sender_id == openid] == ["wechat"]


@pytest.mark.parametrize(
    "change",
    [
        lambda params: {k: v for k, v in params.items() if k not in ("signature", "msg_signature")},
        lambda params: {**params, "msg_signature": "f" * 40},
        lambda params: {**params, "signature": "f" * 40},
    ],
    ids=["missing", "wrong", "wrong-url-signature"],
)
def test_unsigned_posts_are_403_and_never_reach_rasa(server, change):
    openid = new_openid()
    params, body = safe_request(message_xml(openid, Content="你好", msg_id=1002))
    response = post(server, body, params=change(params))
    assert response.status_code == 403 and server.agent.texts(openid) == []


def test_a_request_signed_long_ago_is_403(server):
    openid = new_openid()
    params, body = safe_request(message_xml(openid, Content="你好", msg_id=1003), timestamp=int(time.time()) - 3600)
    assert post(server, body, params).status_code == 403 and server.agent.texts(openid) == []


# ── Issue 17, finding 3: forged and replayed pushes ─────────────────────────────────────────────


def test_with_an_aes_key_a_plain_mode_post_is_refused_whatever_its_url_signature(server):
    """The URL signature covers timestamp and nonce only: with it, anyone could post any body."""
    openid = new_openid()
    response = post(server, message_xml(openid, Content="我是别人", msg_id=1101), params=signed_params())
    assert response.status_code == 403 and server.agent.texts(openid) == []


def test_a_replayed_safe_mode_request_is_refused(server):
    openid = new_openid()
    params, body = safe_request(message_xml(openid, Content="租房可以落户吗", msg_id=1102))
    assert reply_content(post(server, body, params)) == ANSWER
    again = post(server, body, params)
    assert again.status_code == 403 and ANSWER not in again.text
    assert server.agent.texts(openid) == ["租房可以落户吗"]


def test_a_seen_url_signature_cannot_carry_another_body_in_plain_mode(plain_server):
    """A signed URL copied from a proxy log, with a body of the copier's choosing: refused."""
    victim, params = new_openid(), signed_params()
    assert (
        reply_content(post(plain_server, message_xml(victim, Content="租房可以落户吗", msg_id=1103), params)) == ANSWER
    )
    forged = post(plain_server, message_xml(victim, Content="/restart", msg_id=1104), params)
    assert forged.status_code == 403 and ANSWER not in forged.text
    assert plain_server.agent.texts(victim) == ["租房可以落户吗"]


def test_the_same_msgid_from_two_residents_is_answered_for_each(server):
    first, second = new_openid(), new_openid()
    assert reply_content(post(server, message_xml(first, Content="租房可以落户吗", msg_id=1105))) == ANSWER
    assert reply_content(post(server, message_xml(second, Content="选项", msg_id=1105))).startswith("您想了解")
    assert (server.agent.texts(first), server.agent.texts(second)) == (["租房可以落户吗"], ["选项"])


def test_a_retried_message_is_answered_once(server):
    openid = new_openid()
    body = message_xml(openid, Content="租房可以落户吗", msg_id=2001)
    first, second = post(server, body), post(server, body)
    assert reply_content(first) == reply_content(second) == ANSWER
    assert server.agent.texts(openid) == ["租房可以落户吗"]


def test_concurrent_retries_share_one_answer(server):
    openid = new_openid()
    body = message_xml(openid, Content="租房可以落户吗", msg_id=2002)
    results = []
    threads = [threading.Thread(target=lambda: results.append(post(server, body))) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [reply_content(r) for r in results] == [ANSWER] * 3 and server.agent.texts(openid) == ["租房可以落户吗"]


@pytest.mark.parametrize(
    "body",
    [b"<xml><ToUserName>gh", b"hello", b"", b'<!DOCTYPE xml [<!ENTITY x SYSTEM "file:///etc/passwd">]><xml>&x;</xml>'],
    ids=["truncated", "not-xml", "empty", "xxe"],
)
def test_malformed_xml_is_400_not_500(server, body):
    assert post(server, body).status_code == 400


def test_oversized_body_is_413(server):
    body = message_xml(new_openid(), Content="长" * (MAX_BODY_BYTES // 3 + 10), msg_id=3001)
    assert post(server, body).status_code == 413


def test_safe_mode_is_decrypted_and_answered_encrypted(server):
    crypto, openid = WeChatCrypto(TOKEN, AES_KEY, APP_ID), new_openid()
    params = signed_params()
    encrypted = parse_xml(
        crypto.encrypt_message(
            message_xml(openid, Content="租房可以落户吗", msg_id=4001).decode(), params["nonce"], params["timestamp"]
        ).encode()
    )
    body = f"<xml><ToUserName>gh_test</ToUserName><Encrypt><![CDATA[{encrypted['Encrypt']}]]></Encrypt></xml>"
    safe = {**params, "encrypt_type": "aes", "msg_signature": encrypted["MsgSignature"]}
    response = post(server, body.encode(), safe)
    assert response.status_code == 200
    reply = parse_xml(response.content)
    plain = crypto.decrypt_message(response.text, reply["MsgSignature"], reply["TimeStamp"], reply["Nonce"])
    assert parse_xml(plain.encode())["Content"] == ANSWER
    bad = post(server, body.encode(), {**params, "encrypt_type": "aes", "msg_signature": "0" * 40})
    assert bad.status_code == 403


def test_buttons_become_numbers_and_a_number_sends_the_payload(server):
    openid = new_openid()
    content = reply_content(post(server, message_xml(openid, Content="选项", msg_id=5001)))
    assert "回复1：租房落户" in content and "回复2：投靠亲属" in content
    assert reply_content(post(server, message_xml(openid, Content="２", msg_id=5002))) == "按钮 /faq_relatives"
    assert server.agent.texts(openid) == ["选项", "/faq_relatives"]


def test_subscribe_gets_the_welcome_and_menu_without_rasa(server, kb):
    openid = new_openid()
    content = reply_content(post(server, message_xml(openid, "event", Event="subscribe")))
    assert content.startswith(kb.messages["greet"].strip()[:10]) and "回复1：" in content
    assert server.agent.texts(openid) == []
    assert reply_content(post(server, message_xml(openid, Content="1", msg_id=6001))).startswith("按钮 /")


def test_other_events_are_acknowledged_silently(server):
    response = post(server, message_xml(new_openid(), "event", Event="LOCATION"))
    assert (response.status_code, response.text) == (200, "success")


def test_voice_uses_recognition_and_asks_to_type_without_it(server, kb):
    openid = new_openid()
    heard = reply_content(post(server, message_xml(openid, "voice", msg_id=7001, Recognition="租房能落户吗？")))
    assert heard == ANSWER
    asked = reply_content(post(server, message_xml(openid, "voice", msg_id=7002, Recognition="")))
    assert "文字" in asked and server.agent.texts(openid) == ["租房能落户吗？"]


def test_pictures_get_a_polite_please_type(server):
    openid = new_openid()
    content = reply_content(post(server, message_xml(openid, "image", msg_id=8001, PicUrl="http://x/y.jpg")))
    assert "文字" in content and server.agent.texts(openid) == []


def test_empty_and_overlong_text_are_handled_like_rest(server):
    openid = new_openid()
    assert "还没有输入" in reply_content(post(server, message_xml(openid, Content="\u200b ", msg_id=9001)))
    long_reply = reply_content(post(server, message_xml(openid, Content="租房落户" * 300, msg_id=9002)))
    assert long_reply.startswith("您的消息较长") and len(server.agent.texts(openid)[0]) == 500


def test_a_slow_answer_is_acknowledged_and_sent_through_customer_service(server):
    openid = new_openid()
    server.sender.arrived.clear()
    started = time.monotonic()
    response = post(server, message_xml(openid, Content="慢慢答", msg_id=10001))
    assert (response.status_code, response.text) == (200, "success")
    assert time.monotonic() - started < REPLY_TIMEOUT * 2
    assert server.sender.arrived.wait(5)
    assert (openid, ANSWER) in server.sender.sent
    retry = post(server, message_xml(openid, Content="慢慢答", msg_id=10001))
    assert retry.text == "success"  # a late retry gets no second answer
    assert server.agent.texts(openid) == ["慢慢答"] and len([s for s in server.sender.sent if s[0] == openid]) == 1


def test_failures_get_the_hotline_and_message_text_is_never_logged(server, caplog):
    openid = new_openid()
    with caplog.at_level("DEBUG"):
        content = reply_content(post(server, message_xml(openid, Content=f"出错{SECRET}", msg_id=11001)))
    assert "系统繁忙" in content and "12345" in content
    assert "处理消息失败" in caplog.text  # the failure is logged ...
    assert SECRET not in caplog.text and "出错" not in caplog.text  # ... but not what the resident wrote


def test_chunked_oversized_body_is_refused_while_streaming(server):
    def chunks():
        yield message_xml(new_openid(), Content="你好", msg_id=12001)[:-6]
        for _ in range(MAX_BODY_BYTES // 1024 + 2):
            yield b"<a>" + b"x" * 1024 + b"</a>"
        yield b"</xml>"

    assert requests.post(server.url, params=signed_params(), data=chunks(), timeout=10).status_code == 413


def test_staff_replies_reach_a_wechat_resident_through_the_customer_service_api():
    sender = FakeSender()
    output = WeChatInput("token", sender=sender).get_output_channel()
    asyncio.run(output.send_text_message("openid-1", "【工作人员】您好" + "。" * 800))
    assert [openid for openid, _ in sender.sent] == ["openid-1", "openid-1"]  # 2,4xx bytes: two messages
    assert all(len(content.encode("utf-8")) <= 2047 for _, content in sender.sent)
    assert "".join(content for _, content in sender.sent).startswith("【工作人员】您好")


def test_without_an_app_secret_rasa_falls_back_to_collecting():
    assert WeChatInput("token").get_output_channel() is None
