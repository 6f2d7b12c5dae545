"""What every action needs: the live knowledge base, entity lookup, sending a Reply, logging signals."""

from __future__ import annotations

import asyncio
from typing import List, Optional

from rasa_sdk import Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from policy_kb import answers, person
from policy_kb.answers import Reply
from policy_kb.eligibility.dialogue import asks_anything, is_stop, says_farewell, says_thank_you
from policy_kb.followup import Context
from policy_kb.live import KNOWLEDGE
from policy_kb.respond import Plan, Question, Responder, responder_for
from service_desk.signals import record_signal

# The conversation's context for follow-ups (policy_kb.followup); set by the answering actions only.
CONTEXT_SLOT = "answer_context"


def knowledge():
    return KNOWLEDGE.get()


def responder() -> Responder:
    """The responder for the knowledge base in service (rebuilt when a new version is published)."""
    return responder_for(*knowledge())


def message_number(tracker: Tracker) -> int:
    """How many messages the resident has sent in this session, the current one included."""
    count = 0
    for event in tracker.events:
        if event.get("event") == "session_started":
            count = 0
        elif event.get("event") == "user":
            count += 1
    return count


def stored_context(tracker: Tracker) -> Optional[Context]:
    """The context of a recent answer in this conversation, or None (none yet, or too old)."""
    context = Context.from_slot(tracker.get_slot(CONTEXT_SLOT))
    return context if context is not None and context.fresh(message_number(tracker)) else None


def updated_context(tracker: Tracker, plan: Plan) -> Optional[dict]:
    """What this turn leaves for the next: the entry answered (a new topic replaces the old one);
    the same topic renewed after its next step was answered ("要多久"); after a turn that answered
    nothing, the topic as it was (it still expires with its age)."""
    turn, previous = message_number(tracker), stored_context(tracker)
    kb, _ = knowledge()
    earlier = previous.who if previous else None
    # the relative stays the one spoken of until another is named ("他今年二十了" two turns on)
    who = person.subject_in_context(kb, latest_text(tracker), earlier) or earlier
    topic = plan.answered or plan.topic
    if topic is not None:
        return Context(topic.id, tuple(topic.articles), turn, who).to_slot()
    if previous is None:
        return None
    return Context(previous.faq_id, previous.articles, turn if plan.not_covered else previous.turn, who).to_slot()


# The form that asks for the 受理编号 and the ID tail (bot/domain), started when a resident asks
# about their own application in words the classifier did not take for check_status.
STATUS_FORM = "status_form"
# The step-by-step check (bot/domain/eligibility.yml), started when a resident asks again of their own case.
ELIGIBILITY_FORM = "eligibility_form"


def after_plan(tracker: Tracker, plan: Plan) -> list:
    """The events a plan leaves: the context for the next turn, and the status lookup if it starts."""
    events: list = [SlotSet(CONTEXT_SLOT, updated_context(tracker, plan))]
    if plan.start_status:
        events.append(FollowupAction(STATUS_FORM))
    elif plan.start_eligibility:
        events.append(FollowupAction(ELIGIBILITY_FORM))
    return events


def send_plan(dispatcher: CollectingDispatcher, plan: Plan) -> None:
    """Every reply of the plan; the 有用/没用 buttons under the first answer only."""
    kb, _ = knowledge()
    rated = False
    for reply in plan.replies:
        if reply.faq_id and not rated:
            reply, rated = answers.with_rating(kb, reply), True
        send(dispatcher, reply)


def answer_follow_up(dispatcher: CollectingDispatcher, tracker: Tracker) -> Optional[list]:
    """A message heard as small talk or a typed rating that is the next turn of the conversation
    ("那我老伴呢", "是我亲弟弟，不是我爸妈"): the follow-up answered and its events; None otherwise."""
    context = stored_context(tracker)
    intent = (tracker.latest_message.get("intent") or {}).get("name") or ""
    if context is None or not responder().smalltalk_is_follow_up(latest_text(tracker), intent):
        return None
    plan = responder().follow_up(question_of(tracker), context)
    if plan is None:
        return None
    send_plan(dispatcher, plan)
    return [SlotSet(CONTEXT_SLOT, updated_context(tracker, plan))]


def latest_text(tracker: Tracker) -> str:
    return tracker.latest_message.get("text") or ""


def latest_entity(tracker: Tracker, name: str) -> Optional[str]:
    """The value of the first ``name`` entity in the latest message (synonyms already mapped)."""
    for entity in tracker.latest_message.get("entities") or []:
        if entity.get("entity") == name and entity.get("value"):
            return str(entity["value"])
    return None


def ranked_intents(tracker: Tracker) -> List[str]:
    """The classifier's intents for the latest message, best first (its fallback left out)."""
    ranking = tracker.latest_message.get("intent_ranking") or []
    return [item["name"] for item in ranking if item.get("name") != "nlu_fallback"]


def question_of(tracker: Tracker) -> Question:
    """What Rasa understood of the latest message, as the responder reads it."""
    intent = tracker.latest_message.get("intent") or {}
    return Question(
        latest_text(tracker),
        intent.get("name") or "",
        latest_entity(tracker, "faq_id"),
        latest_entity(tracker, "district"),
        latest_entity(tracker, "other_city"),
    )


# A thank-you the classifier is this sure of ends a form that waits for an answer.
SURE_THANKS = 0.8


def says_thanks(tracker: Tracker) -> bool:
    """ "多谢" while a form waits for an answer, asking nothing: the resident is done. (A goodbye
    already stops a form, with its own message.)"""
    intent = tracker.latest_message.get("intent") or {}
    sure = intent.get("name") == "thank" and (intent.get("confidence") or 0.0) >= SURE_THANKS
    return sure and not asks_anything(latest_text(tracker))


def aside(tracker: Tracker) -> Plan:
    """The reply by the message's intent, as anywhere else in the conversation: for a question asked
    in the middle of the status lookup or the eligibility check, or one the classifier heard as small
    talk ("户口本要不要重新换一本" as "重新开始")."""
    return responder().route(question_of(tracker), ranked_intents(tracker))


def answer_what_came_with_the_stop(dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
    """A form was stopped: "算了不查了，集体户口放宽了没" gets its question answered too, "拜拜" the goodbye."""
    kb, text = knowledge()[0], latest_text(tracker)
    goodbye = (tracker.latest_message.get("intent") or {}).get("name") == "goodbye"
    if goodbye and (not is_stop(text) or says_farewell(text)):  # "算了" heard as goodbye is no farewell
        send(dispatcher, answers.message(kb, "goodbye"))
    elif says_thank_you(text) and not asks_anything(text):
        send(dispatcher, answers.message(kb, "thank"))  # "我不测了，谢谢啊"
    elif asks_anything(text):
        plan = aside(tracker)
        if plan.understood:
            send_plan(dispatcher, plan)


def send(dispatcher: CollectingDispatcher, reply: Reply) -> None:
    if reply.buttons:
        dispatcher.utter_message(text=reply.text, buttons=reply.buttons)
    else:
        dispatcher.utter_message(text=reply.text)


async def record(kind: str, tracker: Tracker, text: Optional[str] = None, faq_id: Optional[str] = None) -> None:
    """Log a resident signal for the comms team's report, off the event loop; never raises."""
    intent = tracker.latest_message.get("intent") or {}
    await asyncio.to_thread(
        record_signal,
        kind,
        latest_text(tracker) if text is None else text,
        intent=intent.get("name"),
        confidence=intent.get("confidence"),
        faq_id=faq_id,
        channel=tracker.get_latest_input_channel(),
    )
