"""The guard every resident channel runs: polite answers to bad input, never silence."""

import asyncio

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

from bot.channels.guard import guarded
from policy_kb.text import MAX_MESSAGE_CHARS


def _run(text, handler):
    output = CollectingOutputChannel()
    asyncio.run(guarded(handler)(UserMessage(text, output, "u1")))
    return [m["text"] for m in output.messages]


async def _answers(message):
    await message.output_channel.send_text_message(message.sender_id, f"收到{len(message.text)}")


async def _silent(message):
    return None


async def _broken(message):
    raise RuntimeError("boom")


def test_empty_and_emoji_get_polite_replies_without_the_model():
    assert "还没有输入内容" in _run(" \x00\u200b ", _broken)[0]
    assert "看不懂表情" in _run("🙏🙏", _broken)[0]


def test_long_text_is_cut_and_the_resident_told():
    replies = _run("租" * 20000, _answers)
    assert "消息较长" in replies[0] and replies[1] == f"收到{MAX_MESSAGE_CHARS}"


def test_silence_and_errors_become_the_busy_message_with_hotline():
    assert "12345" in _run("租房可以落户吗", _silent)[0]
    assert "12345" in _run("租房可以落户吗", _broken)[0]


def test_normal_message_passes_through_cleaned():
    assert _run("租房\x07落户", _answers) == ["收到5"]


async def _echo(message):
    token = (message.metadata or {}).get("id_tail_token", "none")
    await message.output_channel.send_text_message(message.sender_id, f"{message.text}|{token[:4]}")


def test_id_digits_and_phone_numbers_never_reach_rasa(monkeypatch):
    monkeypatch.setenv("STATUS_HMAC_SECRET", "x" * 40)
    from platform_core.settings import get_settings

    get_settings.cache_clear() if hasattr(get_settings, "cache_clear") else None
    reply = _run("编号SG2026110001，身份证后六位12345X，电话13800138000", _echo)[0]
    text, token = reply.split("|")
    assert "12345" not in text and "13800138000" not in text and "SG2026110001" in text
    assert token != "none"


def test_a_token_sent_by_the_client_is_dropped():
    received = []

    async def keep(message):
        received.append(message.metadata)
        await message.output_channel.send_text_message(message.sender_id, "ok")

    output = CollectingOutputChannel()
    forged = {"id_tail_token": "0" * 32, "lang": "zh"}
    asyncio.run(guarded(keep)(UserMessage("我的申请办到哪一步了", output, "u1", metadata=forged)))
    assert received == [{"lang": "zh"}]


def test_silence_while_waiting_for_a_person_says_the_message_reached_the_queue():
    from service_desk import handoffs
    from service_desk.store import REQUESTED

    handoffs.open_handoff("u1", "rest", REQUESTED)
    reply = _run("还在吗", _silent)[0]
    assert "正在等工作人员接入" in reply and "系统繁忙" not in reply


def test_a_gave_up_handoff_does_not_hide_a_failure():
    from service_desk import handoffs
    from service_desk.store import GAVE_UP

    handoffs.open_handoff("u1", "rest", GAVE_UP)  # the assistant still answers; silence is a fault
    assert "系统繁忙" in _run("还在吗", _silent)[0]


def test_an_unreachable_queue_still_gives_the_busy_message(monkeypatch):
    monkeypatch.setenv("CONSOLE_DB_URL", "postgresql://nobody@127.0.0.1:1/none")
    assert "系统繁忙" in _run("还在吗", _silent)[0]


def test_a_message_without_a_usable_sender_is_dropped_and_bad_metadata_cleared():
    seen = []

    async def record(message):
        seen.append(message)
        await message.output_channel.send_text_message(message.sender_id, "ok")

    for sender in ("", "x" * 200):  # (UserMessage itself turns any other type into a string)
        output = CollectingOutputChannel()
        asyncio.run(guarded(record)(UserMessage("租房可以落户吗", output, sender)))
        assert output.messages == []
    asyncio.run(guarded(record)(UserMessage("租房可以落户吗", CollectingOutputChannel(), "u1", metadata=["x"])))
    assert len(seen) == 1 and seen[0].metadata is None


# ── the client, as the channel saw it (the status lookup's per-client limit) ───────────────


class _Request:
    def __init__(self, ip, forwarded=""):
        self.ip, self.remote_addr = ip, forwarded


def test_the_client_is_the_address_the_channel_saw_as_a_keyed_token(monkeypatch):
    from bot.channels.guard import CLIENT, client_address, with_client
    from platform_core.settings import get_settings
    from status_store.privacy import client_token

    monkeypatch.setenv("STATUS_HMAC_SECRET", "y" * 40)
    get_settings.cache_clear()
    try:
        # A trusted proxy's forwarded address (SANIC_PROXIES_COUNT) wins over the proxy's own.
        assert client_address(_Request("127.0.0.1", "203.0.113.9")) == "203.0.113.9"
        assert client_address(_Request("198.51.100.7")) == "198.51.100.7"
        assert client_address(None) is None
        metadata = with_client({"other": 1, CLIENT: "chosen-by-the-client"}, "198.51.100.7")
        assert metadata == {"other": 1, CLIENT: client_token(b"y" * 40, "198.51.100.7")}
        assert "198.51.100.7" not in str(metadata)  # the conversation store never holds the address
        assert with_client({CLIENT: "chosen-by-the-client"}, None) is None  # a client's own claim never counts
    finally:
        get_settings.cache_clear()


def test_the_rest_channel_passes_the_client_on_and_drops_a_claimed_one(monkeypatch):
    from bot.channels.guard import CLIENT
    from bot.channels.inbound import parse_rest_body
    from bot.channels.rest import handle
    from platform_core.settings import get_settings
    from status_store.privacy import client_token

    monkeypatch.setenv("STATUS_HMAC_SECRET", "y" * 40)
    get_settings.cache_clear()
    seen = []

    async def _record(message):
        seen.append(message.metadata)
        await message.output_channel.send_text_message(message.sender_id, "ok")

    body = b'{"sender": "u1", "message": "hi", "metadata": {"client": "forged"}}'
    try:
        asyncio.run(handle(parse_rest_body(body), _record, "192.0.2.44"))
        asyncio.run(handle(parse_rest_body(body), _record))
    finally:
        get_settings.cache_clear()
    assert seen == [{CLIENT: client_token(b"y" * 40, "192.0.2.44")}, None]


def test_a_tail_typed_alone_is_keyed_by_the_number_the_conversation_holds(monkeypatch):
    """Issue 17, finding 6: the token depends on the application number too, which the guard reads
    from the conversation (Rasa's tracker store) when the message carries only the tail."""
    from rasa.shared.core.slots import TextSlot
    from rasa.shared.core.trackers import DialogueStateTracker

    from bot.channels import guard
    from platform_core.settings import get_settings
    from status_store.privacy import tail_token

    monkeypatch.setenv("STATUS_HMAC_SECRET", "x" * 40)
    get_settings.cache_clear()
    tracker = DialogueStateTracker("u1", [TextSlot("application_no", [], initial_value="SG2026110001")])

    class Store:
        async def retrieve(self, sender_id):
            assert sender_id == "u1"
            return tracker

    seen = []

    async def record(message):
        seen.append((message.text, (message.metadata or {}).get("id_tail_token")))
        await message.output_channel.send_text_message(message.sender_id, "好")

    monkeypatch.setattr(guard, "_rasa_agent", lambda: type("Agent", (), {"tracker_store": Store()})())
    _run("12345X", record)
    monkeypatch.setattr(guard, "_rasa_agent", lambda: None)  # no conversation store reachable
    _run("12345X", record)
    get_settings.cache_clear()
    assert seen == [("[已隐去]", tail_token(b"x" * 40, "12345X", "SG2026110001")), ("[已隐去]", None)]


def test_withdrawing_a_request_for_a_person_leaves_the_queue_and_passes_the_question_on():
    from service_desk import handoffs
    from service_desk.store import REQUESTED

    handoffs.open_handoff("u1", "rest", REQUESTED)
    seen = []

    async def _records(message):
        seen.append(message.text)
        await message.output_channel.send_text_message(message.sender_id, "答")

    assert _run("不用了，我直接问你吧：老人投靠子女有没有年龄要求", _records) == ["答"]
    assert seen == ["我直接问你吧：老人投靠子女有没有年龄要求"]
    assert not handoffs.is_open("u1")


def test_withdrawing_with_nothing_else_is_acknowledged_without_the_model():
    from service_desk import handoffs
    from service_desk.store import REQUESTED

    handoffs.open_handoff("u1", "rest", REQUESTED)
    assert "已取消人工排队" in _run("算了，不等了", _broken)[0]
    assert not handoffs.is_open("u1")


def test_a_taken_conversation_is_not_withdrawn_by_the_resident():
    from service_desk import handoffs
    from service_desk.store import REQUESTED

    item = handoffs.open_handoff("u1", "rest", REQUESTED)
    handoffs.take(item.id, "staff1")
    assert "正在等工作人员接入" in _run("算了", _silent)[0]  # the person answers now
    assert handoffs.is_open("u1")


def test_a_question_asked_while_waiting_for_a_person_is_answered_and_the_wait_goes_on():
    from service_desk import handoffs
    from service_desk.store import REQUESTED

    handoffs.open_handoff("u1", "rest", REQUESTED)
    replies = _run("你们几点下班", _silent)
    assert "《实施意见》没有规定办理窗口的办公时间" in replies[0]
    assert "人工服务请求仍在排队" in replies[-1]


def test_words_that_ask_nothing_while_waiting_only_hear_that_the_request_waits():
    from service_desk import handoffs
    from service_desk.store import REQUESTED

    handoffs.open_handoff("u1", "rest", REQUESTED)
    assert _run("好的", _silent) == [_run("还在吗", _silent)[0]]
