"""Honest answers where the policy document stops: details it does not settle, other cities,
questions that are not about hukou, and messages the assistant did not understand."""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common import (
    after_plan,
    knowledge,
    question_of,
    ranked_intents,
    record,
    responder,
    send,
    send_plan,
    stored_context,
)
from policy_kb import answers
from service_desk import handoffs
from service_desk.store import FALLBACK, GAVE_UP, LOW_CONFIDENCE, NOT_COVERED, OUT_OF_SCOPE

logger = logging.getLogger(__name__)

# After this many misunderstood messages in a row, a person is asked to look at the conversation.
GIVE_UP_AFTER = 2


def fallbacks_in_a_row(tracker: Tracker) -> int:
    """Resident messages in a row, this one included, that ended in the fallback action."""
    turns: List[bool] = []
    for event in tracker.events:
        if event.get("event") == "user":
            turns.append(False)
        elif event.get("event") == "action" and event.get("name") == "action_fallback" and turns:
            turns[-1] = True
    turns[-1:] = [True]  # the current turn is running the fallback now
    count = 0
    for fell_back in reversed(turns):
        if not fell_back:
            break
        count += 1
    return count


class ActionNotCovered(Action):
    def name(self) -> Text:
        return "action_not_covered"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        plan = responder().not_covered(question_of(tracker), stored_context(tracker))
        send_plan(dispatcher, plan)
        if plan.not_covered:
            await record(NOT_COVERED, tracker)
        return after_plan(tracker, plan)


class ActionOtherCity(Action):
    def name(self) -> Text:
        return "action_other_city"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        # "我户口在广州，想迁回韶关" is a Shaoguan question: the responder decides, not the intent alone
        return await answer_off_topic(dispatcher, tracker)


class ActionOutOfScope(Action):
    """ "Not about hukou", believed only when nothing disagrees (policy_kb.respond.Responder.off_topic)."""

    def name(self) -> Text:
        return "action_out_of_scope"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        return await answer_off_topic(dispatcher, tracker)


async def answer_off_topic(dispatcher: CollectingDispatcher, tracker: Tracker) -> List[Dict[Text, Any]]:
    """Out of scope or another city by the classifier: the responder has the last word."""
    plan = responder().off_topic(question_of(tracker), ranked_intents(tracker), stored_context(tracker))
    send_plan(dispatcher, plan)
    if plan.answered is None:
        await record(NOT_COVERED if plan.not_covered else OUT_OF_SCOPE, tracker)
    return after_plan(tracker, plan)


class ActionFallback(Action):
    """Low confidence: answer where search agrees with the classifier, else offer the three
    closest FAQ questions as buttons, and the hotline."""

    def name(self) -> Text:
        return "action_fallback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        plan = responder().low_confidence(question_of(tracker), ranked_intents(tracker), stored_context(tracker))
        send_plan(dispatcher, plan)
        answered = plan.answered is not None or plan.start_status or plan.start_eligibility
        await record(LOW_CONFIDENCE if answered else FALLBACK, tracker)
        if not answered and fallbacks_in_a_row(tracker) >= GIVE_UP_AFTER:
            await self._ask_for_a_person(dispatcher, tracker)
        return after_plan(tracker, plan)

    @staticmethod
    async def _ask_for_a_person(dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
        kb, _ = knowledge()
        try:
            channel = tracker.get_latest_input_channel() or ""
            await asyncio.to_thread(handoffs.open_handoff, tracker.sender_id, channel, GAVE_UP)
        except Exception:  # noqa: BLE001 - the resident still has the hotline in the reply above
            logger.exception("无法把会话加入人工队列（会话 %s）", tracker.sender_id)
            return
        send(dispatcher, answers.message(kb, "handoff_gave_up"))
