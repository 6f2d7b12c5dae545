"""Greetings and the help menu (asking for a person: actions/handoff.py; status: actions/status.py)."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common import (
    after_plan,
    answer_follow_up,
    aside,
    knowledge,
    latest_text,
    responder,
    send,
    send_plan,
)
from policy_kb import answers
from policy_kb.eligibility.dialogue import asks_anything

# Intent → key of its text in policy_kb/data/messages.yml.
SMALLTALK_MESSAGES = {
    "greet": "greet",
    "thank": "thank",
    "goodbye": "goodbye",
    "help": "help",
    "stop_flow": "acknowledge",  # "算了" with nothing under way
    "restart_flow": "help",  # "重新开始" with nothing under way: the menu
}


# Short social intents a follow-up ("那我老伴呢", "在韶关干了二十年了", "那能享受点啥") can be mistaken for.
FOLLOW_UP_LOOKALIKES = ("greet", "thank", "goodbye", "stop_flow", "help")


class ActionSmalltalk(Action):
    def name(self) -> Text:
        return "action_smalltalk"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        kb, _ = knowledge()
        intent = tracker.latest_message.get("intent", {}).get("name")
        if intent in FOLLOW_UP_LOOKALIKES:
            events = answer_follow_up(dispatcher, tracker)  # "那我老伴呢" right after an answer is no goodbye
            if events is not None:
                return events
        text = latest_text(tracker)
        if (asks_anything(text) and responder().concepts.names_policy(text)) or responder().asks_of_a_matter(text):
            # "户口本要不要重新换一本" heard as "重新开始", "娄底三中学区房范围" heard as "help": a question on
            # a policy term or on some matter, answered as one
            plan = aside(tracker)
            if plan.understood:
                send_plan(dispatcher, plan)
                return after_plan(tracker, plan)
        send(dispatcher, answers.message(kb, SMALLTALK_MESSAGES.get(intent, "help")))
        return []
