"""Nobody joins or writes into another resident's conversation by naming its id.

The web chat's ids are issued and signed by the server and bound to the socket; REST refuses the
ids of the other channels. The socket tests run Rasa's real app with the channel over real HTTP
(long-polling), with the fake agent of the WeChat channel tests recording who said what.
"""

import asyncio
import json

import pytest
import socketio
from sanic import Sanic

from bot.channels.conversation_ids import is_issued_web_session, issue_web_session, rest_may_use
from bot.channels.inbound import BadRequest, parse_rest_body
from tests.bot.test_wechat_channel import ANSWER, Server
from tests.web_chat_client import hang_up, web_chat_session

OPENID = "oyORnuP8q7ou2gfYjqLzSIWZf0rs"  # the shape of a real openid (shared/wechat/samples.json)


def test_issued_ids_are_recognised_and_anything_else_is_not():
    issued = issue_web_session()
    assert is_issued_web_session(issued) and issued != issue_web_session()
    nonce, signature = issued.split(".")
    forged = [
        f"{nonce}.{'0' * 32}",
        f"{nonce[::-1]}.{signature}",  # someone else's nonce with this signature
        nonce,
        OPENID,
        issued.upper(),
        issued + " ",
        None,
        ["x"],
    ]
    assert not any(is_issued_web_session(value) for value in forged)


def test_issued_ids_depend_on_the_deployment_secret(monkeypatch):
    from platform_core import settings

    issued = issue_web_session()
    monkeypatch.setenv("STATUS_HMAC_SECRET", "another-deployment-secret-0123456789abcdef")
    settings.get_settings.cache_clear()
    try:
        assert not is_issued_web_session(issued)
    finally:
        monkeypatch.undo()
        settings.get_settings.cache_clear()


@pytest.mark.parametrize("sender", [OPENID, "web-placeholder"])
def test_rest_refuses_wechat_and_web_chat_ids_with_a_403_in_chinese(sender):
    sender = issue_web_session() if sender == "web-placeholder" else sender
    assert not rest_may_use(sender)
    with pytest.raises(BadRequest) as refused:
        parse_rest_body(json.dumps({"sender": sender, "message": "租房可以落户吗"}).encode())
    assert refused.value.status == 403 and "会话编号" in str(refused.value)


@pytest.mark.parametrize("sender", ["e2e-rating", "u1", "12345", "o-short", "o" + "x" * 28, "a" * 32 + ".x"])
def test_rest_keeps_every_other_id(sender):
    assert rest_may_use(sender)
    assert parse_rest_body(json.dumps({"sender": sender, "message": "你好"}).encode()).sender == sender


@pytest.fixture(scope="module")
def socket_server():
    from bot.channels.socketio import ResidentSocketIOInput

    test_mode, Sanic.test_mode = Sanic.test_mode, True  # another "rasa_server" app in this process
    try:
        with Server(extra_channels=[ResidentSocketIOInput(session_persistence=True)]) as running:
            yield running
    finally:
        Sanic.test_mode = test_mode


async def _hijack(server):
    resident, resident_id, _ = await web_chat_session(server.port, None)
    # Another socket names the resident's id, and an openid: it gets new ids of its own.
    intruder, intruder_id, intruder_replies = await web_chat_session(server.port, resident_id.split(".")[0])
    prober, prober_id, _ = await web_chat_session(server.port, OPENID)
    # The intruder's message claims the resident's conversation: it is filed under the intruder's.
    await intruder.emit("user_uttered", {"message": "租房可以落户吗", "session_id": resident_id})
    intruder_heard = await asyncio.wait_for(intruder_replies.get(), 30)
    # A reload of the resident's page asks for its own id again and keeps it.
    again, again_id, _ = await web_chat_session(server.port, resident_id)
    for client in (resident, intruder, prober, again):
        await hang_up(client)
    return resident_id, intruder_id, prober_id, again_id, intruder_heard


def test_a_socket_cannot_join_or_write_into_another_conversation(socket_server):
    resident_id, intruder_id, prober_id, again_id, intruder_heard = asyncio.run(_hijack(socket_server))
    assert all(is_issued_web_session(i) for i in (resident_id, intruder_id, prober_id))
    assert len({resident_id, intruder_id, prober_id}) == 3
    assert again_id == resident_id
    assert intruder_heard == ANSWER  # answered, in its own conversation
    assert socket_server.agent.texts(intruder_id) == ["租房可以落户吗"]
    assert socket_server.agent.texts(resident_id) == [] and socket_server.agent.texts(OPENID) == []


async def _message_before_session(server):
    client = socketio.AsyncClient()
    await client.connect(f"http://127.0.0.1:{server.port}", transports=["polling"])
    await client.emit("user_uttered", {"message": "你好", "session_id": OPENID})
    await client.emit("user_uttered", "不是对象")
    await asyncio.sleep(0.5)
    await hang_up(client)


def test_a_message_before_any_session_is_dropped_not_filed_under_the_id_it_names(socket_server):
    before = len(socket_server.agent.messages)
    asyncio.run(_message_before_session(socket_server))
    assert len(socket_server.agent.messages) == before


async def _claimed_client(server):
    client, session_id, replies = await web_chat_session(server.port, None)
    await client.emit("user_uttered", {"message": "查进度", "metadata": {"client": "forged", "x": 1}})
    await asyncio.wait_for(replies.get(), 30)
    await hang_up(client)
    return session_id


def test_a_web_chat_message_carries_the_sockets_address_as_a_token_never_a_claimed_one(socket_server):
    from bot.channels.guard import CLIENT
    from platform_core.settings import get_settings
    from status_store.privacy import client_token

    session_id = asyncio.run(_claimed_client(socket_server))
    [message] = [m for m in socket_server.agent.messages if m.sender_id == session_id]
    assert message.metadata == {"x": 1, CLIENT: client_token(get_settings().hmac_secret, "127.0.0.1")}
