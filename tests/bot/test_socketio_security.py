"""Issue 17, finding 8: python-socketio's two advisories stay closed in the web chat channel
(bot/channels/socketio.py), now on 5.16.2 (tests/bot/test_socketio_persistence.py keeps the
replies arriving with session persistence, RasaHQ/rasa#13027).

CVE-2025-61765: what arrives on the instances' Redis channel is never unpickled (python-socketio's
own Redis manager, JSON only since 5.14; the real Redis of this machine, db 6; skipped without it).
CVE-2026-48804: a socket that starts a binary packet is disconnected before its attachments are
kept (5.16.2 still keeps them for any connected socket, and every visitor of the page connects).
"""

import asyncio
import json
import pickle

import pytest
import redis

from bot.channels.socketio import MAX_MESSAGE_BYTES, ResidentSocketIOInput, pubsub_channel


class Planted:
    """Unpickling this creates a file: proof that a process ran what someone put on Redis."""

    def __init__(self, path):
        self.path = str(path)

    def __reduce__(self):
        return open, (self.path, "w")


async def _ignore(_message):
    return None


def channel_with(redis_url=None):
    channel = ResidentSocketIOInput(session_persistence=True, redis_url=redis_url)
    channel.blueprint(_ignore)
    return channel


def test_a_pickle_on_the_redis_channel_is_never_loaded_and_json_still_is(tmp_path):
    from tests.scaled.services import REDIS_URL, require_redis

    require_redis()
    planted = tmp_path / "ran-code-from-redis"

    async def scenario():
        manager = channel_with(REDIS_URL).sio.manager
        handled = []

        async def record(message):
            handled.append(message)

        manager._handle_emit = record
        listener = asyncio.ensure_future(manager._thread())
        publisher = redis.Redis.from_url(REDIS_URL)
        try:
            await asyncio.sleep(0.5)  # subscribed
            publisher.publish(pubsub_channel(REDIS_URL), pickle.dumps(Planted(planted)))
            emit = {
                "method": "emit",
                "event": "bot_uttered",
                "data": {"text": "您好"},
                "namespace": "/",
                "room": "conversation-1",
                "skip_sid": None,
                "callback": None,
                "host_id": "other-instance",
            }
            publisher.publish(pubsub_channel(REDIS_URL), json.dumps(emit))
            for _ in range(50):
                if handled:
                    break
                await asyncio.sleep(0.1)
            return handled
        finally:
            listener.cancel()
            publisher.close()

    handled = asyncio.run(scenario())
    assert not planted.exists(), "a pickled payload from Redis was loaded"
    assert [message["data"] for message in handled] == [{"text": "您好"}]


def test_what_an_instance_publishes_is_json():
    from tests.scaled.services import REDIS_URL, require_redis

    require_redis()

    async def scenario():
        manager = channel_with(REDIS_URL).sio.manager
        subscriber = redis.Redis.from_url(REDIS_URL).pubsub(ignore_subscribe_messages=True)
        subscriber.subscribe(pubsub_channel(REDIS_URL))
        await manager._publish({"method": "emit", "event": "bot_uttered", "data": {"text": "好"}})
        for _ in range(50):
            message = subscriber.get_message(timeout=0.1)
            if message:
                subscriber.close()
                return message["data"]
        subscriber.close()
        return None

    assert json.loads(asyncio.run(scenario()))["data"] == {"text": "好"}


@pytest.mark.parametrize(
    "data",
    [
        '51-["user_uttered",{"_placeholder":true,"num":0}]',
        '6100-/,7[{"_placeholder":true,"num":99}]',
        b"\x04" + b"a" * 1000,
    ],
    ids=["binary-event", "binary-ack", "attachment"],
)
def test_a_socket_that_sends_binary_is_disconnected_and_nothing_is_kept(data):
    channel = channel_with()
    disconnected = []

    async def disconnect(sid):
        disconnected.append(sid)

    channel.sio.eio.disconnect = disconnect
    asyncio.run(channel.sio.eio.handlers["message"]("eio-1", data))
    assert disconnected == ["eio-1"] and channel.sio._binary_packet == {}
    assert channel.sio.eio.max_http_buffer_size == MAX_MESSAGE_BYTES


def test_text_packets_still_reach_python_socketio():
    channel, seen = channel_with(), []

    async def handle(sid, data):
        seen.append((sid, data))

    packet = '2["user_uttered",{"message":"租房可以落户吗","session_id":"x"}]'
    asyncio.run(channel._without_binary_packets(handle)("eio-1", packet))
    assert seen == [("eio-1", packet)]
