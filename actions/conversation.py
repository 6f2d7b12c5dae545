"""Greetings, the help menu, asking for a person, and application status (not yet connected)."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common import knowledge, send
from policy_kb import answers

# Intent → key of its text in policy_kb/data/messages.yml.
SMALLTALK_MESSAGES = {"greet": "greet", "thank": "thank", "goodbye": "goodbye", "help": "help"}


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


class ActionHandoff(Action):
    """Acknowledge the request for a person; a live handoff to staff comes with the console."""

    def name(self) -> Text:
        return "action_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        kb, _ = knowledge()
        send(dispatcher, answers.message(kb, "handoff"))
        return []


class ActionCheckStatus(Action):
    """Status lookup is not connected yet: say so plainly and give the hotline."""

    def name(self) -> Text:
        return "action_check_status"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        kb, _ = knowledge()
        send(dispatcher, answers.message(kb, "status_unavailable"))
        return []
