"""What every action needs: the live knowledge base, entity lookup, sending a Reply, logging signals."""

from __future__ import annotations

import asyncio
from typing import Optional

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from console.signals import record_signal
from policy_kb.answers import Reply
from policy_kb.live import KNOWLEDGE


def knowledge():
    return KNOWLEDGE.get()


def latest_text(tracker: Tracker) -> str:
    return tracker.latest_message.get("text") or ""


def latest_entity(tracker: Tracker, name: str) -> Optional[str]:
    """The value of the first ``name`` entity in the latest message (synonyms already mapped)."""
    for entity in tracker.latest_message.get("entities") or []:
        if entity.get("entity") == name and entity.get("value"):
            return str(entity["value"])
    return None


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
