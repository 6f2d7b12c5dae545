"""The step-by-step eligibility check as a Rasa form, driven by policy_kb.eligibility.

The engine decides what to ask next; these actions only read the tracker, call it, and turn the
result into messages and events. Every slot of the form is set here, never from entities.
"""

from __future__ import annotations

from typing import Any, Dict, List, Text, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import (
    ELIGIBILITY_FORM,
    STATUS_FORM,
    after_plan,
    answer_what_came_with_the_stop,
    aside,
    knowledge,
    latest_text,
    responder,
    send,
    send_plan,
)
from policy_kb import answers
from policy_kb.eligibility import evaluate, verdict_parts
from policy_kb.eligibility.dialogue import (
    STOPPED_SLOT,
    profile_from_slots,
    slot_name,
    take_turn,
    usable_history,
)
from policy_kb.loader import KnowledgeBase
from policy_kb.reading import asks_progress

FORM = ELIGIBILITY_FORM
# Asking for a person mid-check: the form rejects the message, so the rule hands off (data/stories/handoff.yml).
HANDOFF_INTENT = "request_human"
# Fields the form may ask (the domain lists one slot for each).
ASKED_FIELDS = (
    "housing",
    "housing_area",
    "family_join",
    "education",
    "skill_certified",
    "special_talent",
    "long_term_resident",
    "hard_industry",
)
ALL_FIELDS = ASKED_FIELDS + ("relative_settled", "rural_land", "district")
# How many answers in a row to the current question could not be read.
UNCLEAR_SLOT = "elig_unclear"
# Where the resident's earlier messages stop counting: the last check ended, or a new conversation.
BOUNDARY_ACTIONS = ("action_eligibility_verdict", "action_restart", "action_session_start")
BOUNDARY_EVENTS = ("restart", "session_started")


def _asked_field(tracker: Tracker):
    requested = tracker.get_slot("requested_slot") or ""
    return requested[len(slot_name("")) :] if requested.startswith(slot_name("")) else None


def _history(tracker: Tracker) -> Tuple[List[str], List[str]]:
    """The resident's messages since the last check, before this one started and during it (from the
    message that started it), oldest first; the latest message (being read now) is left out."""
    texts: List[str] = []  # newest first
    form_started_at = None  # how many of them came after the form started
    for event in reversed(tracker.events):
        kind = event.get("event")
        if kind in BOUNDARY_EVENTS or (kind == "action" and event.get("name") in BOUNDARY_ACTIONS):
            break
        if kind == "active_loop" and event.get("name") == FORM and form_started_at is None:
            form_started_at = len(texts)
        elif kind == "user":
            texts.append(event.get("text") or "")
    texts = texts[1:]  # the latest message
    during = texts[: form_started_at or 0]
    return texts[len(during) :][::-1], during[::-1]


def _ask(dispatcher: CollectingDispatcher, kb: KnowledgeBase, field_id: str) -> None:
    """The field's question, asked here rather than by an ask action: one action-server call a turn."""
    spec = kb.eligibility.fields[field_id]
    # A button sends its own title, which the form maps back to the value exactly.
    buttons = [{"title": b["title"], "payload": b["title"]} for b in spec.buttons()]
    dispatcher.utter_message(text=spec.question, buttons=buttons)


def _reset_events() -> List[EventType]:
    return [SlotSet(slot_name(f), None) for f in ALL_FIELDS] + [
        SlotSet(STOPPED_SLOT, None),
        SlotSet(UNCLEAR_SLOT, None),
    ]


class ValidateEligibilityForm(Action):
    def name(self) -> Text:
        return f"validate_{FORM}"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        kb, _ = knowledge()
        asked, text = _asked_field(tracker), latest_text(tracker)
        intent = tracker.latest_message.get("intent") or {}
        profile = profile_from_slots(tracker.slots, kb.eligibility)
        unclear = int(tracker.get_slot(UNCLEAR_SLOT) or 0)
        earlier = usable_history(kb.eligibility, *_history(tracker))
        name, confidence = intent.get("name") or "", intent.get("confidence") or 0.0
        names_topic = bool(responder().concepts.topics(text))
        if asked is not None and name == HANDOFF_INTENT:
            return []  # nothing taken from a request for a person: the form steps aside, the handoff rule runs
        if asks_progress(kb, text) or (asked is None and _another_business(kb, text)):
            # "帮我查一下落户审批结果", "不测了，帮我查下到哪步了": their own application, not whether they
            # can settle; the verdict action hands over to the lookup. "更改民族成分需符合哪些条件":
            # another hukou business, answered instead
            return [SlotSet(STOPPED_SLOT, True), SlotSet("requested_slot", None)]
        turn = take_turn(kb.eligibility, profile, text, asked, name, confidence, unclear, earlier, names_topic)
        if turn.stop:
            return [SlotSet(STOPPED_SLOT, True), SlotSet("requested_slot", None)]
        events: List[EventType] = []
        if turn.restart:
            send(dispatcher, answers.message(kb, "eligibility_restart"))
            events += _reset_events()
        elif asked is None:
            send(dispatcher, answers.message(kb, "eligibility_start"))
        elif turn.corrected:
            send(dispatcher, answers.message(kb, "eligibility_corrected"))
        elif turn.interruption:
            self._answer_aside(dispatcher, kb, tracker)
        elif turn.gave_up:
            send(dispatcher, answers.message(kb, "eligibility_gave_up"))
        elif not turn.understood:
            send(dispatcher, answers.message(kb, "eligibility_hint"))
        events += [SlotSet(slot_name(f), v) for f, v in turn.answers.items()]
        events.append(SlotSet(UNCLEAR_SLOT, 0.0 if turn.understood or turn.gave_up else float(unclear + 1)))
        if answers.mentions_rural_land(kb, text):
            events.append(SlotSet(slot_name("rural_land"), "yes"))
        if turn.next_field:
            _ask(dispatcher, kb, turn.next_field)
        events.append(SlotSet("requested_slot", slot_name(turn.next_field) if turn.next_field else None))
        return events

    @staticmethod
    def _answer_aside(dispatcher: CollectingDispatcher, kb: KnowledgeBase, tracker: Tracker) -> None:
        """Answered in full (as outside the check), when understood; the form then asks its question again."""
        plan = aside(tracker)
        for reply in (plan.replies if plan.understood else []) or [answers.message(kb, "eligibility_hint")]:
            send(dispatcher, reply)


def _another_business(kb: KnowledgeBase, text: str) -> bool:
    """A hukou business the document leaves open (更改民族, 分户 …) and no word of settling, or another
    place's settling ("昌吉如何落户"): the classifier heard "条件"/"落户" and took it for the check."""
    if answers.asks_about_other_city(kb, text, None, None):
        return True
    return bool(answers.topics_marked(kb, text, "of_hukou")) and not responder().concepts.names_settling(text)


def _never_began(tracker: Tracker) -> bool:
    kb, _ = knowledge()
    return not profile_from_slots(tracker.slots, kb.eligibility)


class ActionEligibilityVerdict(Action):
    """The form is done: the verdict (or a polite stop), then a clean slate."""

    def name(self) -> Text:
        return "action_eligibility_verdict"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        kb, _ = knowledge()
        if tracker.get_slot(STOPPED_SLOT) and asks_progress(kb, latest_text(tracker)):
            return _reset_events() + [FollowupAction(STATUS_FORM)]  # the check never began: the lookup
        if tracker.get_slot(STOPPED_SLOT) and _never_began(tracker) and _another_business(kb, latest_text(tracker)):
            plan = aside(tracker)  # the check never began: the question it was mistaken for is answered
            send_plan(dispatcher, plan)
            return _reset_events() + after_plan(tracker, plan)
        if tracker.get_slot(STOPPED_SLOT):
            send(dispatcher, answers.message(kb, "eligibility_stopped"))
            answer_what_came_with_the_stop(dispatcher, tracker)
        else:
            result = evaluate(profile_from_slots(tracker.slots, kb.eligibility), kb.eligibility)
            for part in verdict_parts(result, kb):
                dispatcher.utter_message(text=part)
        return _reset_events()
