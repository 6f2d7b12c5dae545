"""Application status: ask for the 受理编号 and the applicant's ID tail, look it up, answer.

The channel has already replaced ID digits the resident typed with [已隐去] and put a keyed token
for the tail in the message metadata, so nothing here ever sees those digits. The form's slots hold
credentials only (the normalised number and that token), are set only by these actions, and are
cleared as soon as the lookup is answered or the resident stops: verified identity never outlives
the lookup. Unknown numbers and wrong tails get the very same reply.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from typing import Any, Dict, List, Optional, Text, Tuple

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import REQUESTED_SLOT
from rasa_sdk.types import DomainDict
from sqlalchemy.exc import SQLAlchemyError

from actions.common import (
    ELIGIBILITY_FORM,
    answer_what_came_with_the_stop,
    aside,
    knowledge,
    latest_text,
    says_thanks,
    send,
    send_plan,
)
from policy_kb import answers
from policy_kb.answers import Reply
from policy_kb.eligibility.dialogue import asks_anything
from policy_kb.loader import KnowledgeBase
from policy_kb.reading import asks_for_the_check, asks_progress, says_no_number
from status_store import LookupThrottle, SettingsError, StatusView, extract_credentials, throttled_lookup_async
from status_store.privacy import CLIENT, ID_TAIL_TOKEN, is_tail_token  # the channels' metadata keys

NUMBER, TAIL = "application_no", "id_tail"
# The question for each credential (status_form's required slots), asked by validate_status_form
# itself: no ask action, so one action-server call a turn instead of two.
QUESTIONS = {NUMBER: "status_ask_number", TAIL: "status_ask_id_tail"}
# Whatever the store raises when it cannot answer: the resident gets status_unavailable.
STORE_ERRORS = (SQLAlchemyError, SettingsError, OSError)

logger = logging.getLogger(__name__)


def credentials(tracker: Tracker) -> Tuple[Optional[str], Optional[str]]:
    """``(application_no, tail token)`` in the latest message; either may be None.

    Only the resident's own words count: a typed ``/check_status{...}`` payload carries nothing.
    """
    text = latest_text(tracker)
    if text.startswith("/"):
        return None, None
    number, _ = extract_credentials(text)  # the tail digits are gone already: only the token is left
    token = (tracker.latest_message.get("metadata") or {}).get(ID_TAIL_TOKEN)
    return number, (token if isinstance(token, str) and is_tail_token(token) else None)


def client_of(tracker: Tracker) -> Optional[str]:
    """Who sent the latest message as the channel saw it (its address), for the per-client limit."""
    client = (tracker.latest_message.get("metadata") or {}).get(CLIENT)
    return client if isinstance(client, str) and client else None


def opening(tracker: Tracker) -> bool:
    """True while the form is being opened (nothing asked yet)."""
    return tracker.get_slot(REQUESTED_SLOT) not in (NUMBER, TAIL)


def cleared() -> List[EventType]:
    return [SlotSet(NUMBER, None), SlotSet(TAIL, None)]


def format_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def result_reply(kb: KnowledgeBase, view: StatusView) -> Reply:
    """The status as the resident reads it; the applicant only masked, empty lines dropped."""
    note = answers.message(kb, "status_note", note=view.note).text if view.note else ""
    text = answers.message(
        kb,
        "status_result",
        application_no=view.application_no,
        applicant=view.masked_name,
        category=view.category,
        status=view.status,
        office=view.office,
        updated_at=format_date(view.updated_at),
        note_line=note,
        next_step=view.next_step,
    ).text
    return Reply("\n".join(line for line in text.splitlines() if line.strip()))


async def lookup_reply(
    kb: KnowledgeBase, conversation_id: str, number: str, token: str, client: Optional[str] = None
) -> Reply:
    """Look up in a worker thread; every outcome, a store failure included, has its reply.

    Only the channel's keyed token stands for the tail: raw digits in the slot came from somewhere
    else (a forged action call), and get the neutral reply without a lookup."""
    if not (isinstance(number, str) and isinstance(token, str) and is_tail_token(token)):
        logger.warning("查询凭据不是渠道生成的（身份证尾号须为令牌），未查询（会话 %s）", conversation_id)
        return answers.message(kb, "status_not_found")
    try:
        result = await throttled_lookup_async(conversation_id, number, token, client=client)
    except STORE_ERRORS:
        logger.exception("申请进度库不可用，已请居民改用热线")
        return answers.message(kb, "status_unavailable")
    if result.found:
        return result_reply(kb, result.view)
    return answers.message(kb, "status_locked" if result.locked else "status_not_found")


async def refusal_key(conversation_id: str, client: Optional[str] = None) -> Optional[str]:
    """Why this conversation (or its client) may not start a lookup now (message key), or None."""
    try:
        locked = await asyncio.to_thread(LookupThrottle().is_locked, conversation_id, client)
    except STORE_ERRORS:
        logger.exception("申请进度库不可用，已请居民改用热线")
        return "status_unavailable"
    return "status_locked" if locked else None


def has_no_number(text: str) -> bool:
    """The resident says the receipt or its number is not at hand (policy_kb.reading)."""
    kb, _ = knowledge()
    return says_no_number(kb, text)


def _leaves_for_the_check(tracker: Tracker) -> bool:
    """The resident asks for the step-by-step check instead ("先别查了，我想先判断下自己够不够条件")."""
    return asks_for_the_check(knowledge()[0], latest_text(tracker))


def _not_own_application(tracker: Tracker) -> bool:
    """The message opening the lookup names another place and neither a credential nor progress."""
    kb, text = knowledge()[0], latest_text(tracker)
    if any(credentials(tracker)) or asks_progress(kb, text):
        return False
    return answers.names_other_place(kb, text) is not None


def hint_or_answer(dispatcher: CollectingDispatcher, tracker: Tracker, hint_key: str) -> None:
    """No credentials in the message: a question ("等等，迁户口必须本人去吗") is answered as it would be
    anywhere else, when it is understood; anything else gets the hint; either way the form asks its
    question again."""
    kb, _ = knowledge()
    plan = aside(tracker) if asks_anything(latest_text(tracker)) else None
    for reply in (plan.replies if plan is not None and plan.understood else []) or [answers.message(kb, hint_key)]:
        send(dispatcher, reply)


class ValidateStatusForm(FormValidationAction):
    """Keeps only recognised credentials; both may come in one message, in any order."""

    def name(self) -> Text:
        return "validate_status_form"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        ended = await self._ended_early(dispatcher, tracker)
        return ended if ended is not None else await super().run(dispatcher, tracker, domain)

    @staticmethod
    async def _ended_early(dispatcher: CollectingDispatcher, tracker: Tracker) -> Optional[List[EventType]]:
        """The lookup ends before a credential is checked, each way with its reply; None otherwise."""
        kb, text = knowledge()[0], latest_text(tracker)
        end = [SlotSet(REQUESTED_SLOT, None), *cleared()]
        given = any(credentials(tracker))
        if opening(tracker):
            if _not_own_application(tracker):
                # "2026年广州番禺区积分制入学申请对象": 申请 heard as the lookup, but another place's rules
                send_plan(dispatcher, aside(tracker))
                return end
            # a locked conversation or an unreachable store is told so at once, instead of being
            # asked for credentials that cannot be checked
            key = await refusal_key(tracker.sender_id, client_of(tracker))
            if key:
                send(dispatcher, answers.message(kb, key))
                return end
        elif not given and says_thanks(tracker):
            send(dispatcher, answers.message(kb, "thank"))  # "多谢" instead of the number: done
            return end
        elif not given and _leaves_for_the_check(tracker):
            # "先别查了，我想先判断下自己够不够条件落户": action_check_status starts the check
            return end
        asking_number = opening(tracker) or tracker.get_slot(REQUESTED_SLOT) == NUMBER
        if asking_number and not given and has_no_number(text):
            # no receipt ("回执单找不着了", in the opening message too): asking again for the number
            # leads nowhere; the window and the hotline instead
            send(dispatcher, answers.message(kb, "status_no_number"))
            return end
        return None

    # The opening message ("帮我查下 SG2026110001") is not mapped by from_text; read it here.
    def extract_application_no(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict):
        number, _ = credentials(tracker)
        return {NUMBER: number} if number and opening(tracker) else {}

    def extract_id_tail(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict):
        _, token = credentials(tracker)
        return {TAIL: token} if token and opening(tracker) else {}

    def validate_application_no(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        number, token = credentials(tracker)
        if number is None and token is None:
            hint_or_answer(dispatcher, tracker, "status_bad_number")
        return {NUMBER: number, **({TAIL: token} if token else {})}

    def validate_id_tail(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        number, token = credentials(tracker)
        if token is None:
            hint_or_answer(dispatcher, tracker, "status_bad_id_tail")
        return {TAIL: token, **({NUMBER: number} if number else {})}

    async def next_requested_slot(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Optional[EventType]:
        """The first credential still missing, in the form's order, asked for here (the slots
        already hold this turn's)."""
        missing = next((slot for slot in self.domain_slots(domain) if tracker.get_slot(slot) is None), None)
        if missing:
            kb, _ = knowledge()
            send(dispatcher, answers.message(kb, QUESTIONS[missing]))
        return SlotSet(REQUESTED_SLOT, missing)


class ActionCheckStatus(Action):
    """Runs when status_form is done: look up, answer, forget the credentials."""

    def name(self) -> Text:
        return "action_check_status"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        number, token = tracker.get_slot(NUMBER), tracker.get_slot(TAIL)
        if number and token:  # otherwise the form ended early and already said why
            kb, _ = knowledge()
            send(dispatcher, await lookup_reply(kb, tracker.sender_id, number, token, client_of(tracker)))
        elif _leaves_for_the_check(tracker):
            return [*cleared(), FollowupAction(ELIGIBILITY_FORM)]
        return cleared()


class ActionStopStatus(Action):
    """Stop ("算了", "退出") while the status questions are open: politely, forgetting what was given."""

    def name(self) -> Text:
        return "action_stop_status"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        kb, _ = knowledge()
        send(dispatcher, answers.message(kb, "status_stopped"))
        answer_what_came_with_the_stop(dispatcher, tracker)
        return [ActiveLoop(None), SlotSet(REQUESTED_SLOT, None), *cleared()]
