"""A resident's 有用/没用 rating of an answer, logged for the communications team's report."""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common import answer_follow_up, knowledge, latest_entity, latest_text, record, send
from policy_kb import answers
from service_desk.store import NOT_USEFUL, USEFUL


def rated_question(tracker: Tracker) -> Optional[str]:
    """What the resident asked before rating: the latest earlier message that was typed, not a button."""
    user_events = [e for e in tracker.events if e.get("event") == "user"]
    for event in reversed(user_events[:-1]):
        text = (event.get("text") or "").strip()
        if text and not text.startswith("/"):
            return text
    return None


def last_rated_faq(tracker: Tracker) -> Optional[str]:
    """The entry of the latest answer that carried rating buttons (when the rating was typed)."""
    for event in reversed(tracker.events):
        if event.get("event") != "bot":
            continue
        for button in (event.get("data") or {}).get("buttons") or []:
            faq_id = answers.rated_faq_id(str(button.get("payload") or ""))
            if faq_id:
                return faq_id
    return None


class ActionRateAnswer(Action):
    def name(self) -> Text:
        return "action_rate_answer"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        kb, _ = knowledge()
        if latest_entity(tracker, "rating") is None:
            # typed, not the buttons: "是我亲弟弟，不是我爸妈" after an answer is the next turn, not "没用"
            events = answer_follow_up(dispatcher, tracker)
            if events is not None:
                return events
        faq_id = latest_entity(tracker, "faq_id") or last_rated_faq(tracker)
        rating = latest_entity(tracker, "rating") or answers.rating_in_words(kb, latest_text(tracker))
        useful = rating != NOT_USEFUL
        if faq_id in kb.faqs:
            await record(USEFUL if useful else NOT_USEFUL, tracker, rated_question(tracker) or "", faq_id)
        send(dispatcher, answers.message(kb, "rating_thanks" if useful else "rating_sorry"))
        return []
