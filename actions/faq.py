"""Answer a policy question from the FAQ, citing the document."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common import knowledge, latest_entity, latest_text, record, send
from console.store import FALLBACK, NOT_COVERED
from policy_kb import answers


class ActionAnswerFaq(Action):
    def name(self) -> Text:
        return "action_answer_faq"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        kb, index = knowledge()
        text = latest_text(tracker)
        district = latest_entity(tracker, "district")
        if answers.asks_about_other_city(kb, text, latest_entity(tracker, "other_city"), district):
            send(dispatcher, answers.message(kb, "other_city"))
        intent = tracker.latest_message.get("intent", {}).get("name") or ""
        faq = answers.choose_faq(kb, index, intent, text, latest_entity(tracker, "faq_id"))
        if faq is None:
            await record(FALLBACK, tracker)
        send(dispatcher, answers.with_rating(kb, answers.faq_reply(kb, faq, text)) if faq
             else answers.fallback_reply(kb, index, text))
        if answers.not_covered_topics(kb, text):
            # the policy part is answered; the practical detail the document leaves open is named
            send(dispatcher, answers.not_covered_reply(kb, text, district))
            await record(NOT_COVERED, tracker)
        return []
