"""What every action needs: the live knowledge base, entity lookup, and sending a Reply."""

from __future__ import annotations

from typing import Optional

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

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
