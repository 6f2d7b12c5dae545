"""Fuzzed requests on the REST and WeChat channels, inside a real Rasa server app over real HTTP:
whatever arrives, the answer is a polite reply or a 4xx — never a 5xx, never an empty reply — and
the server keeps serving."""

import json
import string

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sanic import Sanic

from bot.channels.rest import ResidentRestInput
from tests.bot.test_wechat_channel import ANSWER, Server, message_xml, post, safe_request
from tests.web_chat_client import hang_up

FUZZ = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
NASTY_TEXT = st.one_of(
    st.text(max_size=300),
    st.sampled_from(
        [
            "",
            " ",
            "\u200b\u200e\u202e租房\u2066可以落户吗",
            "１２３４５６７８９０１２３４５６７８",
            "' OR 1=1; DROP TABLE events; --",
            "<script>alert(1)</script>",
            "/restart",
            '/check_status{"application_no": "SG2026110099"}',
            '/rate_answer{"faq_id": "x"',
            "\x00\x01\x1b[31m",
            "租" * 5000,
            "🙏" * 50,
        ]
    ),
)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | NASTY_TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=30,
)


def _deep(levels):
    value = {"x": 1}
    for _ in range(levels):
        value = {"m": value}
    return value


REST_BODIES = st.one_of(
    st.binary(max_size=600),
    JSON_VALUES.map(lambda value: json.dumps(value).encode()),
    st.fixed_dictionaries({"sender": JSON_VALUES, "message": JSON_VALUES}, optional={"metadata": JSON_VALUES}).map(
        lambda value: json.dumps(value).encode()
    ),
    st.builds(
        lambda text, sender: json.dumps({"sender": sender, "message": text}).encode(),
        NASTY_TEXT,
        st.text(string.ascii_letters + string.digits, min_size=1, max_size=20),
    ),
    # another resident's id: an openid's shape, a web chat id's shape
    st.builds(
        lambda text, sender: json.dumps({"sender": sender, "message": text}).encode(),
        NASTY_TEXT,
        st.from_regex(r"o[0-9A-Za-z_-]{27}|[0-9a-f]{32}\.[0-9a-f]{32}", fullmatch=True),
    ),
    st.integers(1, 400).map(lambda n: json.dumps({"sender": "u", "message": "hi", "metadata": _deep(n)}).encode()),
)


@pytest.fixture(scope="module")
def server():
    test_mode, Sanic.test_mode = Sanic.test_mode, True  # another "rasa_server" app in this process
    try:
        with Server(extra_channels=[ResidentRestInput()]) as running:
            yield running
    finally:
        Sanic.test_mode = test_mode


def _rest(server, body):
    url = f"http://127.0.0.1:{server.port}/webhooks/rest/webhook"
    return requests.post(url, data=body, headers={"Content-Type": "application/json"}, timeout=30)


def _still_serving(server):
    replies = _rest(server, json.dumps({"sender": "after-fuzz", "message": "租房可以落户吗"}).encode()).json()
    assert replies and replies[0]["text"]


@FUZZ
@given(body=REST_BODIES)
def test_rest_answers_anything_with_a_reply_or_a_4xx(server, body):
    response = _rest(server, body)
    # 403: the sender named is a WeChat openid or a web chat id (bot.channels.conversation_ids)
    assert response.status_code in (200, 400, 403, 413), (response.status_code, body[:200])
    payload = response.json()
    if response.status_code == 200:
        assert payload and all(isinstance(r.get("text"), str) and r["text"] for r in payload)
    else:
        assert payload["error"]  # a Chinese explanation, not a stack trace


def test_a_one_megabyte_body_is_refused_and_the_server_keeps_serving(server):
    assert _rest(server, b'{"sender": "u", "message": "' + b"a" * 1_000_000 + b'"}').status_code == 413
    _still_serving(server)


@FUZZ
@given(content=NASTY_TEXT, openid=st.text(string.ascii_letters + string.digits + "-_", min_size=1, max_size=28))
def test_wechat_signed_text_of_any_content_gets_an_answer(server, content, openid):
    response = post(server, message_xml(openid, Content=content))  # safe mode, encrypted as WeChat does
    # Characters XML cannot carry (NUL, most control characters) make the push unreadable: 400.
    assert response.status_code in (200, 400), (response.status_code, content[:100])
    assert response.text  # an XML reply, "success" (answered later) or the reason for the 400


@FUZZ
@given(body=st.one_of(st.binary(max_size=600), NASTY_TEXT.map(lambda t: t.encode("utf-8", "surrogatepass"))))
def test_wechat_garbage_bodies_are_refused_without_a_5xx(server, body):
    params, _ = safe_request(b"<xml/>")  # validly signed for another body
    response = requests.post(server.url, params=params, data=body, timeout=30)
    assert response.status_code < 500, (response.status_code, body[:200])
    _still_serving(server)


@pytest.fixture(scope="module")
def socket_server():
    from bot.channels.socketio import ResidentSocketIOInput

    channel = ResidentSocketIOInput(session_persistence=True)
    test_mode, Sanic.test_mode = Sanic.test_mode, True
    try:
        with Server(extra_channels=[channel]) as running:
            yield running
    finally:
        Sanic.test_mode = test_mode


async def _socket_exchange(server, payloads, session_id="fuzz-session"):
    """Send each payload as user_uttered; return the bot replies, then whether a proper message still works."""
    import asyncio

    import socketio

    received = asyncio.Queue()
    client = socketio.AsyncClient()
    client.on("bot_uttered", lambda data: received.put_nowait(data))
    await client.connect(f"http://127.0.0.1:{server.port}", transports=["polling"])
    try:
        await client.emit("session_request", {"session_id": session_id})
        for payload in payloads:
            await client.emit("user_uttered", payload)
        await client.emit("user_uttered", {"message": "租房可以落户吗", "session_id": session_id})
        replies = []
        while True:  # the proper message's answer comes last: everything before it has been handled
            reply = await asyncio.wait_for(received.get(), 30)
            replies.append(reply)
            if isinstance(reply, dict) and reply.get("text") == ANSWER:
                return replies
    finally:
        await hang_up(client)


SOCKET_PAYLOADS = st.one_of(
    JSON_VALUES,
    st.fixed_dictionaries({"message": JSON_VALUES, "session_id": JSON_VALUES}, optional={"customData": JSON_VALUES}),
    st.fixed_dictionaries({"message": NASTY_TEXT, "session_id": st.just("fuzz-session")}),
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(payloads=st.lists(SOCKET_PAYLOADS, min_size=1, max_size=3))
def test_socketio_survives_any_event_payload_and_answers_proper_messages(socket_server, payloads):
    import asyncio

    replies = asyncio.run(_socket_exchange(socket_server, payloads))
    assert all(isinstance(r, dict) and isinstance(r.get("text"), str) and r["text"] for r in replies)
