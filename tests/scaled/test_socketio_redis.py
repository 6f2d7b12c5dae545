"""Several Rasa instances share web-chat sockets through Redis: a reply sent by one instance (a
hotline agent's, via the HTTP API the console happened to reach) arrives at a socket connected to
another. Two real Rasa apps with the channel, over real HTTP, and the real Redis of this machine."""

import asyncio

import pytest
from rasa.core.channels.socketio import SocketIOOutput
from sanic import Sanic

from bot.channels.socketio import ResidentSocketIOInput, pubsub_channel
from tests.bot.test_wechat_channel import Server
from tests.scaled.services import REDIS_URL, require_redis
from tests.web_chat_client import hang_up, web_chat_session


@pytest.fixture(scope="module")
def two_instances():
    require_redis()
    test_mode, Sanic.test_mode = Sanic.test_mode, True  # several "rasa_server" apps in this process
    try:
        channels = [ResidentSocketIOInput(session_persistence=True, redis_url=REDIS_URL) for _ in range(2)]
        with Server(extra_channels=[channels[0]]) as first, Server(extra_channels=[channels[1]]) as second:
            yield (first, channels[0]), (second, channels[1])
    finally:
        Sanic.test_mode = test_mode


def _send_from(server, channel, conversation_id, text):
    """What Rasa's /execute?output_channel=latest does on ``server``: send to the conversation."""
    output = SocketIOOutput(channel.sio, "bot_uttered")
    asyncio.run_coroutine_threadsafe(output.send_text_message(conversation_id, text), server.loop).result(10)


async def _staff_reply_across_instances(two_instances):
    (first, _), (second, second_channel) = two_instances
    client, conversation_id, replies = await web_chat_session(first.port)
    other, other_id, other_replies = await web_chat_session(first.port)
    try:
        await asyncio.sleep(0.5)  # the first instance's Redis listener is subscribed
        await asyncio.to_thread(_send_from, second, second_channel, conversation_id, "【工作人员】您好，请讲。")
        heard = await asyncio.wait_for(replies.get(), 15)
        await asyncio.sleep(0.5)
        return heard, other_replies.empty()
    finally:
        await hang_up(client)
        await hang_up(other)


def test_a_reply_sent_by_one_instance_reaches_the_socket_on_another(two_instances):
    heard, other_resident_heard_nothing = asyncio.run(_staff_reply_across_instances(two_instances))
    assert heard == "【工作人员】您好，请讲。"
    assert other_resident_heard_nothing  # only that conversation's room


def test_deployments_on_one_redis_server_use_their_own_channel():
    assert pubsub_channel("redis://127.0.0.1:6379/5") != pubsub_channel("redis://127.0.0.1:6379/6")
    assert pubsub_channel("redis://:secret@10.0.0.2:6380") == "shaoguan-hukou-socketio-db0"


def test_embedded_mode_keeps_python_socketios_in_process_manager():
    channel = ResidentSocketIOInput.from_credentials({"session_persistence": True, "redis_url": ""})
    assert channel.redis_url is None and channel.session_persistence is True
