"""Answer a policy question from the FAQ, citing the document, in the light of the conversation."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common import (
    after_plan,
    question_of,
    record,
    responder,
    send_plan,
    stored_context,
)
from service_desk.store import FALLBACK, NOT_COVERED


class ActionAnswerFaq(Action):
    def name(self) -> Text:
        return "action_answer_faq"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        plan = responder().answer(question_of(tracker), stored_context(tracker))
        send_plan(dispatcher, plan)
        if plan.answered is None and not plan.not_covered and not (plan.start_status or plan.start_eligibility):
            await record(FALLBACK, tracker)
        if plan.not_covered:
            await record(NOT_COVERED, tracker)
        return after_plan(tracker, plan)
