"""Asking for a person: queue the conversation and pause the assistant; deliver what staff write;
hand the conversation back. The queue is console/handoffs.py; staff act through the console."""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, ConversationPaused, ConversationResumed, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import knowledge, send
from policy_kb import answers
from service_desk import handoffs
from service_desk.store import REQUESTED

ACTION_LISTEN = "action_listen"

logger = logging.getLogger(__name__)

STAFF_REPLY_SLOT = "staff_reply"


class ActionHandoff(Action):
    def name(self) -> Text:
        return "action_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        kb, _ = knowledge()
        channel = tracker.get_latest_input_channel() or ""
        try:
            item = await asyncio.to_thread(handoffs.open_handoff, tracker.sender_id, channel, REQUESTED)
            ahead = await asyncio.to_thread(handoffs.waiting_ahead, item.id)
        except Exception:  # noqa: BLE001 - without a queue, the hotline is the way to a person
            logger.exception("转人工排队失败（会话 %s）", tracker.sender_id)
            send(dispatcher, answers.message(kb, "handoff_unavailable"))
            return []
        send(dispatcher, answers.message(kb, "handoff", ahead=str(ahead)))
        # Paused, Rasa logs what the resident writes but answers nothing until staff hand back.
        return [ConversationPaused()]


class ActionStaffReply(Action):
    """Run by the console (POST /conversations/{id}/execute) after it set the staff_reply slot."""

    def name(self) -> Text:
        return "action_staff_reply"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        text = (tracker.get_slot(STAFF_REPLY_SLOT) or "").strip()
        if text:
            kb, _ = knowledge()
            send(dispatcher, answers.message(kb, "staff_reply", text=text))
        return [SlotSet(STAFF_REPLY_SLOT, None)]


class ActionHandback(Action):
    """Run by the console when staff give the conversation back to the assistant."""

    def name(self) -> Text:
        return "action_handback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        kb, _ = knowledge()
        send(dispatcher, answers.message(kb, "handback"))
        # and listening: the paused conversation stopped before its action_listen, and without it the
        # rules do not match the resident's next message (core fallback, over and over)
        return [ConversationResumed(), ActionExecuted(ACTION_LISTEN)]
