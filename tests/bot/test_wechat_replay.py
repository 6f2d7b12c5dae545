"""Issue 17, finding 3: a signed WeChat request is accepted once, and a push is answered once,
across Rasa instances that share the store (the scaled profile's Redis, make run's SQLite file).

Requests are WeChat's own safe-mode sample (shared/wechat/samples.json), decrypted with its key.
"""

import asyncio
import json
import threading
import uuid
from pathlib import Path

import pytest
from rasa.core.channels.channel import UserMessage

from bot.channels.inbound import BadRequest
from bot.channels.wechat import WeChatInput
from bot.channels.wechat_protocol import REPLAY_WINDOW_SECONDS, open_request
from bot.channels.wechat_seen import MemorySeen, RedisSeen, SqliteSeen, seen_store

SAMPLES_PATH = Path(__file__).resolve().parents[3] / "shared" / "wechat" / "samples.json"


@pytest.fixture(scope="module")
def safe():
    if not SAMPLES_PATH.exists():
        pytest.skip(f"WeChat protocol samples not found at {SAMPLES_PATH} (shared/wechat/samples.json)")
    return json.loads(SAMPLES_PATH.read_text(encoding="utf-8"))["safe_mode"]


def sample_params(safe):
    return {
        "timestamp": safe["timestamp"],
        "nonce": safe["nonce"],
        "encrypt_type": "aes",
        "msg_signature": safe["msg_signature"],
        "signature": safe["url_signature"],
    }


def instance(safe, seen):
    """One Rasa instance's WeChat channel, its clock at the sample's time."""
    return WeChatInput(
        safe["token"],
        safe["app_id"],
        safe["encoding_aes_key"],
        clock=lambda: int(safe["timestamp"]),
        reply_timeout=2,
        seen=seen,
    )


class Rasa:
    """Counts the turns that reach Rasa, and answers each."""

    def __init__(self):
        self.turns = []

    async def __call__(self, message: UserMessage):
        self.turns.append(message.text)
        await message.output_channel.send_text_message(message.sender_id, "可以申请。")


async def receive(channel, safe, rasa):
    """What the channel's POST handler does with the sample: verify, refuse a replay, answer."""
    envelope = open_request(
        sample_params(safe), safe["body"].encode(), channel.token, channel.crypto, int(safe["timestamp"])
    )
    assert await channel._first_use(envelope)
    return await channel.conversations.respond(envelope.message, rasa)


@pytest.fixture(params=["sqlite", "redis"])
def shared(request, tmp_path):
    """A store two instances share: make run's file, or the scaled profile's Redis."""
    if request.param == "sqlite":
        return lambda: SqliteSeen(tmp_path / "seen.db")
    from tests.scaled.services import REDIS_URL, require_redis

    require_redis().flushdb()
    return lambda: RedisSeen(REDIS_URL)


def test_the_sample_is_answered_once_and_its_replay_refused_by_either_instance(safe, shared):
    async def scenario():
        rasa = Rasa()
        first, second = instance(safe, shared()), instance(safe, shared())
        assert await receive(first, safe, rasa) == "可以申请。"
        for channel in (first, second):  # the copied request, at either instance
            with pytest.raises(BadRequest) as refused:
                await receive(channel, safe, rasa)
            assert refused.value.status == 403
        assert rasa.turns == ["abcdteT"]
        await first.seen.close()
        await second.seen.close()

    asyncio.run(scenario())


def test_a_retry_reaching_another_instance_is_not_a_second_turn(safe, shared):
    """WeChat's retry (same sender and MsgId, newly signed) at the other instance: acknowledged."""

    async def scenario():
        rasa = Rasa()
        first, second = instance(safe, shared()), instance(safe, shared())
        message = open_request(
            sample_params(safe), safe["body"].encode(), first.token, first.crypto, int(safe["timestamp"])
        ).message
        assert await first.conversations.respond(message, rasa) == "可以申请。"
        assert await second.conversations.respond(message, rasa) is None  # "success"
        assert rasa.turns == ["abcdteT"]
        await first.seen.close()
        await second.seen.close()

    asyncio.run(scenario())


def test_an_unreachable_store_refuses_to_process(safe):
    """Fail closed: without the store no request is known to be fresh; WeChat hears 系统繁忙."""

    class Down(MemorySeen):
        async def first_use(self, key, ttl_seconds):
            raise ConnectionError("redis down")

    channel = instance(safe, Down())
    envelope = open_request(
        sample_params(safe), safe["body"].encode(), channel.token, channel.crypto, int(safe["timestamp"])
    )
    assert asyncio.run(channel._first_use(envelope)) is False


def test_pairs_are_kept_for_the_whole_window_then_forgotten(tmp_path):
    now = [1_700_000_000.0]
    store = SqliteSeen(tmp_path / "seen.db", clock=lambda: now[0])
    ttl = 2 * REPLAY_WINDOW_SECONDS
    assert asyncio.run(store.first_use("nonce:1:a", ttl)) is True
    now[0] += ttl - 1
    assert asyncio.run(store.first_use("nonce:1:a", ttl)) is False
    now[0] += 2
    assert asyncio.run(store.first_use("nonce:1:a", ttl)) is True


def test_concurrent_uses_of_one_pair_let_exactly_one_through(tmp_path):
    results = []

    def use():
        results.append(asyncio.run(SqliteSeen(tmp_path / "seen.db").first_use("nonce:1:b", 600)))

    threads = [threading.Thread(target=use) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False] * 7 + [True]


def test_openids_are_never_stored(tmp_path):
    openid = "o" + uuid.uuid4().hex
    asyncio.run(SqliteSeen(tmp_path / "seen.db").first_use(f"msg:{openid}:1", 600))
    assert openid.encode() not in (tmp_path / "seen.db").read_bytes()


def test_credentials_choose_redis_when_the_deployment_has_one(tmp_path):
    assert isinstance(seen_store("redis://127.0.0.1:6379/6"), RedisSeen)
    assert isinstance(seen_store("", tmp_path / "seen.db"), SqliteSeen)
