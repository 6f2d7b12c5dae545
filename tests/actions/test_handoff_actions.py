"""Asking for a person, staff replies, handing back, rating answers and the gave-up handoff: real
domain, real knowledge base, a private console DB (tests/conftest.py)."""

import asyncio

import pytest
from rasa.shared.core.domain import Domain
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

from actions import edges, faq, feedback, handoff
from service_desk import handoffs
from service_desk.store import GAVE_UP, REQUESTED, ResidentSignal, session_scope
from tests.conftest import REPO


@pytest.fixture(scope="module")
def domain():
    return Domain.load(str(REPO / "bot" / "domain"))


def tracker(text, intent, entities=(), events=(), slots=None, confidence=0.9, sender="resident-1"):
    message = {
        "text": text,
        "intent": {"name": intent, "confidence": confidence},
        "entities": list(entities),
        "intent_ranking": [{"name": intent, "confidence": confidence}],
    }
    events = list(events) + [{"event": "user", "text": text, "input_channel": "socketio"}]
    return Tracker(sender, slots or {}, message, events, False, None, {}, "action_listen")


def run(action, tracker_, domain):
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker_, domain.as_dict()))
    return dispatcher.messages, events


def signals():
    with session_scope() as session:
        return [(s.kind, s.text, s.faq_id) for s in session.execute(select(ResidentSignal)).scalars()]


def test_handoff_queues_pauses_and_tells_the_hotline(domain):
    messages, events = run(handoff.ActionHandoff(), tracker("转人工", "request_human"), domain)
    assert events == [{"event": "pause", "timestamp": None}]
    assert "前面还有 0 位" in messages[0]["text"] and "12345" in messages[0]["text"]
    [item] = handoffs.queue()
    assert (item.conversation_id, item.channel, item.reason) == ("resident-1", "socketio", REQUESTED)
    assert handoffs.awaits_staff("resident-1")


def test_second_resident_hears_how_many_wait_before_them_and_a_repeat_keeps_its_place(domain):
    run(handoff.ActionHandoff(), tracker("转人工", "request_human", sender="a"), domain)
    run(handoff.ActionHandoff(), tracker("转人工", "request_human", sender="a"), domain)
    messages, _ = run(handoff.ActionHandoff(), tracker("人工", "request_human", sender="b"), domain)
    assert "前面还有 1 位" in messages[0]["text"]
    assert [i.conversation_id for i in handoffs.queue()] == ["a", "b"]


def test_handoff_without_a_queue_still_gives_the_hotline(domain, monkeypatch):
    monkeypatch.setenv("CONSOLE_DB_URL", "postgresql://nobody@127.0.0.1:1/none")
    messages, events = run(handoff.ActionHandoff(), tracker("转人工", "request_human"), domain)
    assert events == []  # not paused: nobody would ever hand it back
    assert "暂时不可用" in messages[0]["text"] and "12345" in messages[0]["text"]


def test_staff_reply_is_sent_marked_as_staff_and_the_slot_cleared(domain):
    slots = {"staff_reply": "您好，我是12345工作人员，请问有什么可以帮您？"}
    messages, events = run(handoff.ActionStaffReply(), tracker("", "", slots=slots), domain)
    assert messages[0]["text"] == "【工作人员】您好，我是12345工作人员，请问有什么可以帮您？"
    assert events == [{"event": "slot", "timestamp": None, "name": "staff_reply", "value": None}]


def test_staff_reply_with_braces_is_sent_verbatim(domain):
    messages, _ = run(handoff.ActionStaffReply(), tracker("", "", slots={"staff_reply": "材料见{附件}"}), domain)
    assert messages[0]["text"] == "【工作人员】材料见{附件}"


def test_empty_staff_reply_sends_nothing(domain):
    messages, _ = run(handoff.ActionStaffReply(), tracker("", "", slots={"staff_reply": "  "}), domain)
    assert messages == []


def test_handback_resumes_and_says_so(domain):
    messages, events = run(handoff.ActionHandback(), tracker("", ""), domain)
    # resumed, and listening for the resident's next message (so that the rules match it)
    assert [e["event"] for e in events] == ["resume", "action"] and events[1]["name"] == "action_listen"
    assert "人工服务已结束" in messages[0]["text"]


def test_faq_answer_carries_rating_buttons_for_its_entry(domain):
    messages, _ = run(faq.ActionAnswerFaq(), tracker("租房可以落户吗", "faq_settle_housing"), domain)
    payloads = [b["payload"] for b in messages[0]["buttons"]]
    assert '/rate_answer{"faq_id": "settle_rent", "rating": "useful"}' in payloads
    assert '/rate_answer{"faq_id": "settle_rent", "rating": "not_useful"}' in payloads


def test_not_useful_rating_logs_the_question_it_rated(domain):
    history = [{"event": "user", "text": "租房可以落户吗，我身份证440203199001011234"}]
    entities = [{"entity": "faq_id", "value": "settle_rent"}, {"entity": "rating", "value": "not_useful"}]
    text = '/rate_answer{"faq_id": "settle_rent", "rating": "not_useful"}'
    messages, _ = run(feedback.ActionRateAnswer(), tracker(text, "rate_answer", entities, history), domain)
    assert "抱歉" in messages[0]["text"]
    [(kind, question, faq_id)] = signals()
    assert (kind, faq_id) == ("not_useful", "settle_rent")
    assert question.startswith("租房可以落户吗") and "440203" not in question


def test_typed_rating_finds_the_answer_it_rates(domain):
    answer = {
        "event": "bot",
        "text": "可以申请……",
        "data": {
            "buttons": [
                {"title": "没用", "payload": '/rate_answer{"faq_id": "settle_rent", ' '"rating": "not_useful"}'}
            ]
        },
    }
    history = [{"event": "user", "text": "租房能落户吗"}, answer]
    typed = tracker("你这个答案一点用都没有", "rate_answer", (), history)
    messages, _ = run(feedback.ActionRateAnswer(), typed, domain)
    assert signals() == [("not_useful", "租房能落户吗", "settle_rent")]
    assert "抱歉" in messages[0]["text"]


def test_useful_rating_thanks(domain):
    entities = [{"entity": "faq_id", "value": "settle_rent"}, {"entity": "rating", "value": "useful"}]
    messages, _ = run(feedback.ActionRateAnswer(), tracker("/rate_answer", "rate_answer", entities), domain)
    assert "谢谢您的评价" in messages[0]["text"]
    assert [s[0] for s in signals()] == ["useful"]


def test_rating_of_an_unknown_entry_is_not_logged(domain):
    entities = [{"entity": "faq_id", "value": "no_such_entry"}, {"entity": "rating", "value": "not_useful"}]
    messages, _ = run(feedback.ActionRateAnswer(), tracker("/rate_answer", "rate_answer", entities), domain)
    assert messages and signals() == []


def test_out_of_scope_and_not_covered_are_logged_redacted(domain):
    run(edges.ActionOutOfScope(), tracker("帮我订机票 电话13800138000", "out_of_scope"), domain)
    run(edges.ActionNotCovered(), tracker("落户要交多少钱", "not_covered"), domain)
    assert signals() == [("out_of_scope", "帮我订机票 电话[已隐去]", None), ("not_covered", "落户要交多少钱", None)]


def test_second_misunderstanding_in_a_row_asks_a_person_without_pausing(domain):
    first = tracker("嗯嗯那个啥", "nlu_fallback", confidence=0.2)
    messages, _ = run(edges.ActionFallback(), first, domain)
    assert handoffs.queue() == [] and not any("工作人员查看" in m["text"] for m in messages)
    history = [{"event": "user", "text": "嗯嗯那个啥"}, {"event": "action", "name": "action_fallback"}]
    messages, events = run(
        edges.ActionFallback(), tracker("哦哦就系咁", "nlu_fallback", (), history, confidence=0.2), domain
    )
    assert any("工作人员查看" in m["text"] for m in messages)
    assert events == [SlotSet("answer_context", None)]  # not paused; no topic to follow up on
    [item] = handoffs.queue()
    assert item.reason == GAVE_UP and not handoffs.awaits_staff("resident-1")
    assert [s[0] for s in signals()] == ["fallback", "fallback"]
