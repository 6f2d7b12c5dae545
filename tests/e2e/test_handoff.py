"""A resident asks for a person; staff reply and hand back through Rasa's HTTP API, as the console
does; the web chat resident sees the staff reply arrive on their socket. Ratings reach the report."""

import asyncio
import subprocess
import sys

import requests
import socketio

from bot.channels.conversation_ids import is_issued_web_session
from tests.conftest import REPO
from tests.web_chat_client import hang_up

CITE_3 = "第（三）条"


def _api(stack, method, path, **kwargs):
    response = requests.request(
        method,
        f"{stack.api_url}{path}",
        params={"token": stack.api_token, **kwargs.pop("params", {})},
        timeout=60,
        **kwargs,
    )
    assert response.status_code == 200, response.text
    return response.json()


def staff_reply(stack, sender, text):
    _api(
        stack,
        "POST",
        f"/conversations/{sender}/tracker/events",
        json=[{"event": "slot", "name": "staff_reply", "value": text}],
    )
    return _api(
        stack,
        "POST",
        f"/conversations/{sender}/execute",
        params={"output_channel": "latest"},
        json={"name": "action_staff_reply"},
    )


def hand_back(stack, sender):
    _api(stack, "POST", f"/conversations/{sender}/tracker/events", json=[{"event": "resume"}])
    return _api(
        stack,
        "POST",
        f"/conversations/{sender}/execute",
        params={"output_channel": "latest"},
        json={"name": "action_handback"},
    )


def bot_texts(stack, sender):
    return [e.get("text") for e in stack.tracker(sender)["events"] if e["event"] == "bot"]


def test_api_refuses_requests_without_the_token(stack):
    response = requests.get(f"{stack.api_url}/conversations/anyone/tracker", timeout=30)
    assert response.status_code == 401


def test_handoff_pauses_until_staff_hand_back(stack):
    sender = "e2e-handoff"
    text, _ = stack.ask("我要转人工", sender=sender)
    assert "已为您转接人工服务" in text and "12345" in text
    waiting, _ = stack.ask("租房可以落户吗", sender=sender)
    # answered at once (search and answer gate only), and told the request still waits
    assert CITE_3 in waiting and "人工服务请求仍在排队" in waiting
    assert any(CITE_3 in t for t in bot_texts(stack, sender))  # in the conversation staff will read
    quiet, _ = stack.ask("还在吗", sender=sender)
    assert "正在等工作人员接入" in quiet and CITE_3 not in quiet
    staff_reply(stack, sender, "您好，我是12345工作人员，租房可以申请落户。")
    assert "【工作人员】您好，我是12345工作人员，租房可以申请落户。" in bot_texts(stack, sender)
    hand_back(stack, sender)
    events = [e["event"] for e in stack.tracker(sender)["events"]]
    assert "pause" in events and events.count("resume") >= 1
    answer, _ = stack.ask("租房可以落户吗", sender=sender)
    assert answer.count(CITE_3) == 1  # answered once, not over and over until Rasa's circuit breaker
    thanks, _ = stack.ask("好的谢谢", sender=sender)
    assert "系统繁忙" not in thanks


def test_a_person_asked_for_while_the_status_lookup_asks_for_the_number(stack):
    # the lookup's slots take any text as a candidate number: a request for a person is none
    sender = "e2e-handoff-in-lookup"
    stack.ask("我的落户申请办到哪一步了", sender=sender)
    text, _ = stack.ask("算了我直接找人工吧", sender=sender)
    assert "已为您转接人工服务" in text and "受理编号" not in text


def test_a_person_asked_for_during_the_eligibility_check(stack):
    sender = "e2e-handoff-in-check"
    stack.ask("帮我逐项评估一下能不能落户", sender=sender)
    text, _ = stack.ask("我要找人工", sender=sender)
    assert "已为您转接人工服务" in text and "没太听明白" not in text


def test_a_resident_who_no_longer_waits_is_answered_again(stack, monkeypatch):
    from service_desk import handoffs

    sender = "e2e-withdraw"
    stack.ask("帮我转人工", sender=sender)
    answer, _ = stack.ask("不等了，还是问你吧，老人投靠子女落户有年龄限制吗", sender=sender)
    assert answer.count("第（五）条") == 1 and "正在等工作人员接入" not in answer
    monkeypatch.setenv("CONSOLE_DB_URL", stack.console_db_url)
    assert not any(i.conversation_id == sender for i in handoffs.queue())
    thanks, _ = stack.ask("好的谢谢", sender=sender)
    assert "正在等工作人员接入" not in thanks and "系统繁忙" not in thanks


def test_the_queue_holds_the_conversation_with_its_channel(stack, monkeypatch):
    from service_desk import handoffs

    sender = "e2e-queue"
    stack.ask("人工客服", sender=sender)
    monkeypatch.setenv("CONSOLE_DB_URL", stack.console_db_url)
    [item] = [i for i in handoffs.queue() if i.conversation_id == sender]
    assert (item.channel, item.reason, item.status) == ("rest", "requested", "waiting")


def test_rating_buttons_under_an_answer_reach_the_report(stack):
    sender = "e2e-rating"
    _, replies = stack.ask("住出租屋可以迁户口过来吗", sender=sender)
    payloads = [b["payload"] for r in replies for b in r.get("buttons") or []]
    not_useful = next(p for p in payloads if p.startswith("/rate_answer") and "not_useful" in p)
    text, _ = stack.ask(not_useful, sender=sender)
    assert "抱歉" in text
    report = subprocess.run(
        [sys.executable, "-m", "console.insights"],
        cwd=REPO,
        capture_output=True,
        text=True,
        env={"CONSOLE_DB_URL": stack.console_db_url, "PATH": "/usr/bin:/bin"},
        timeout=120,
    )
    assert report.returncode == 0, report.stderr
    assert "住出租屋可以迁户口过来吗" in report.stdout and "没用 1" in report.stdout


async def _web_resident_sees_staff_reply(stack):
    received = asyncio.Queue()
    client = socketio.AsyncClient()
    client.on("bot_uttered", lambda data: received.put_nowait(data.get("text", "")))
    client.on("session_confirm", lambda data: received.put_nowait(("confirmed", data)))
    # Long-polling, as a phone behind a strict proxy would: engineio's websocket client needs a newer aiohttp.
    await client.connect(f"http://127.0.0.1:{stack.rasa_port}", transports=["polling"])
    try:
        await client.emit("session_request", {"session_id": None})  # a new visitor: the server issues the id
        confirmed, session_id = await asyncio.wait_for(received.get(), 30)
        assert confirmed == "confirmed" and is_issued_web_session(session_id)
        await client.emit("user_uttered", {"message": "转人工", "session_id": session_id})
        assert "已为您转接人工服务" in await asyncio.wait_for(received.get(), 60)
        await asyncio.to_thread(staff_reply, stack, session_id, "您好，请讲。")
        assert await asyncio.wait_for(received.get(), 30) == "【工作人员】您好，请讲。"
        await asyncio.to_thread(hand_back, stack, session_id)
        assert "人工服务已结束" in await asyncio.wait_for(received.get(), 30)
    finally:
        await hang_up(client)


def test_web_chat_resident_sees_the_staff_reply_on_their_socket(stack):
    asyncio.run(_web_resident_sees_staff_reply(stack))
