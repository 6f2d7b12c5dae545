"""Greetings and the help menu (asking for a person: actions/handoff.py; status: actions/status.py)."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common import knowledge, send
from policy_kb import answers

# Intent → key of its text in policy_kb/data/messages.yml.
SMALLTALK_MESSAGES = {
    "greet": "greet",
    "thank": "thank",
    "goodbye": "goodbye",
    "help": "help",
    "stop_flow": "acknowledge",  # "算了" with nothing under way
    "restart_flow": "help",  # "重新开始" with nothing under way: the menu
}


class ActionSmalltalk(Action):
    def name(self) -> Text:
        return "action_smalltalk"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        kb, _ = knowledge()
        intent = tracker.latest_message.get("intent", {}).get("name")
        send(dispatcher, answers.message(kb, SMALLTALK_MESSAGES.get(intent, "help")))
        return []
