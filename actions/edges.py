"""Honest answers where the policy document stops: details it does not settle, other cities,
questions that are not about hukou, and messages the assistant did not understand."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common import knowledge, latest_entity, latest_text, send
from policy_kb import answers


class ActionNotCovered(Action):
    def name(self) -> Text:
        return "action_not_covered"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        kb, _ = knowledge()
        send(dispatcher, answers.not_covered_reply(kb, latest_text(tracker), latest_entity(tracker, "district")))
        return []


class ActionOtherCity(Action):
    def name(self) -> Text:
        return "action_other_city"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        kb, _ = knowledge()
        send(dispatcher, answers.other_city_reply(kb))
        return []


class ActionOutOfScope(Action):
    def name(self) -> Text:
        return "action_out_of_scope"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        kb, _ = knowledge()
        send(dispatcher, answers.message(kb, "out_of_scope"))
        return []


class ActionFallback(Action):
    """Low confidence: answer where search agrees with the classifier, else offer the three
    closest FAQ questions as buttons, and the hotline."""

    def name(self) -> Text:
        return "action_fallback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        kb, index = knowledge()
        ranking = tracker.latest_message.get("intent_ranking") or []
        candidates = [item["name"] for item in ranking if item.get("name") != "nlu_fallback"]
        send(dispatcher, answers.low_confidence_reply(kb, index, latest_text(tracker), candidates))
        return []
