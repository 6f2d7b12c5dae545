"""What every resident-facing channel does around Rasa, whatever the transport.

Keeps ID digits and phone numbers out of everything Rasa stores, cleans the text, answers empty
or emoji-only messages politely without the model, cuts over-long messages, and makes sure the
resident never gets silence: if Rasa sends nothing because the conversation waits for a person,
the resident hears that their message reached the queue; otherwise (the action server is down,
an error was swallowed) the "system busy" message with the hotline goes out. Message text is never logged.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Awaitable, Callable, List, Optional

from rasa.core.channels.channel import OutputChannel, UserMessage
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.events import ActionExecuted, BotUttered, ConversationResumed
from sanic import Sanic
from sanic.exceptions import SanicException

from bot.channels.inbound import MAX_SENDER_CHARS
from platform_core.redaction import redact
from platform_core.settings import SettingsError, get_settings
from policy_kb import answers
from policy_kb.answers import Reply
from policy_kb.eligibility.dialogue import asks_anything
from policy_kb.live import KNOWLEDGE
from policy_kb.reading import handoff_withdrawal
from policy_kb.respond import Question, responder_for
from policy_kb.text import MAX_MESSAGE_CHARS, clean_message, has_meaning
from service_desk import handoffs
from status_store import protect_message
from status_store.credentials import carries_lone_tail

# ID_TAIL_TOKEN: where an action finds the keyed stand-in for ID digits the resident typed. CLIENT:
# where it finds the client's address as the channel saw it (the status lookup counts failures per
# client: a client can start new conversations at will, not change its address).
from status_store.privacy import CLIENT, ID_TAIL_TOKEN, client_token

# The slot the status form keeps the canonical application number in (actions/status.py): an ID tail
# typed on its own is keyed by it.
NUMBER_SLOT = "application_no"
# The Sanic app Rasa serves channels from: with the HTTP API (rasa.server) or without (rasa.core.run).
RASA_APPS = ("rasa_server", "rasa_core_no_api")

logger = logging.getLogger(__name__)
Handler = Callable[[UserMessage], Awaitable[Any]]


class _CountingOutput:
    """A proxy for the real output channel that counts every ``send_*`` call passing through."""

    def __init__(self, inner: OutputChannel):
        self.inner, self.sent = inner, 0

    def __getattr__(self, item: str) -> Any:
        attribute = getattr(self.inner, item)
        if not item.startswith("send_") or not callable(attribute):
            return attribute

        async def counted(*args: Any, **kwargs: Any) -> Any:
            self.sent += 1
            return await attribute(*args, **kwargs)

        return counted


async def _say(output: OutputChannel, recipient: str, key: str) -> None:
    kb, _ = KNOWLEDGE.get()
    await output.send_text_message(recipient, answers.message(kb, key).text)


def client_address(request: Any) -> Optional[str]:
    """The address a Sanic request came from: the proxy's forwarded one when Sanic is told to trust
    a proxy (SANIC_PROXIES_COUNT, set by the scaled profile for its nginx), else the peer's."""
    if request is None:
        return None
    return str(request.remote_addr or request.ip or "") or None


def with_client(metadata: Optional[dict], address: Optional[str]) -> Optional[dict]:
    """A message's metadata with the channel's own word on who sent it, as a keyed token of the
    address (the conversation store never holds the address): a ``client`` the client put there
    itself is replaced, or dropped when the channel knows no address."""
    kept = {k: v for k, v in (metadata or {}).items() if k != CLIENT}
    if address:
        try:
            kept[CLIENT] = client_token(get_settings().hmac_secret, address)
        except SettingsError:
            pass  # protect() logs the missing secret; no token means no per-client count
    return kept or None


def _rasa_agent() -> Any:
    for name in RASA_APPS:
        try:
            agent = getattr(Sanic.get_app(name).ctx, "agent", None)
        except SanicException:
            continue
        if agent is not None:
            return agent
    return None


async def conversation_number(sender_id: str) -> Optional[str]:
    """The application number the conversation's status form holds (read from Rasa's tracker
    store), or None: no form, no Rasa app in this process, or the store cannot be read."""
    store = getattr(_rasa_agent(), "tracker_store", None)
    if store is None:
        return None
    try:
        tracker = await store.retrieve(sender_id)
    except Exception:  # noqa: BLE001 - the resident is then asked for the tail again, not failed
        logger.warning("读取会话中的受理编号失败（会话 %s）", sender_id)
        return None
    value = tracker.get_slot(NUMBER_SLOT) if tracker is not None else None
    return value if isinstance(value, str) else None


def protect(message: UserMessage, application_no: Optional[str] = None) -> None:
    """Swap ID numbers, ID tails and mobile numbers for placeholders before Rasa stores the
    message; the ID tail travels on as a keyed token in the metadata, for the status lookup,
    keyed by the number in the message or else ``application_no`` (the conversation's)."""
    # Only this function vouches for a token: one a client sent in its own metadata is dropped.
    if isinstance(message.metadata, dict) and ID_TAIL_TOKEN in message.metadata:
        message.metadata = {k: v for k, v in message.metadata.items() if k != ID_TAIL_TOKEN}
    try:
        secret = get_settings().hmac_secret
    except SettingsError:
        logger.error("未配置状态库密钥，身份证尾号无法用于查询，仅做隐去处理")
        message.text = redact(message.text, id_tail=True)
        return
    message.text, token = protect_message(message.text, secret, application_no)
    if token:
        message.metadata = {**(message.metadata or {}), ID_TAIL_TOKEN: token}


def guarded(on_new_message: Handler) -> Handler:
    """Wrap Rasa's message handler with the checks residents are owed on every channel."""

    async def handle(message: UserMessage) -> None:
        if not _valid_sender(message.sender_id):
            # Only a hand-made client sends this (the page and WeChat never do); there is no one to answer.
            logger.warning("忽略会话编号无效的消息（类型 %s）", type(message.sender_id).__name__)
            return
        if not isinstance(message.metadata, dict):
            message.metadata = None
        raw = message.text if isinstance(message.text, str) else ""
        text = clean_message(raw)
        if not text or not has_meaning(text):
            await _say(message.output_channel, message.sender_id, "empty_input" if not text else "unsupported_input")
            return
        if len(text) > MAX_MESSAGE_CHARS:
            await _say(message.output_channel, message.sender_id, "too_long")
            text = text[:MAX_MESSAGE_CHARS]
        counting = _CountingOutput(message.output_channel)
        message.text, message.output_channel = text, counting
        protect(message, await conversation_number(message.sender_id) if carries_lone_tail(text) else None)
        rest = await _withdrawn_handoff(message.sender_id, message.text)
        if rest is not None and not has_meaning(rest):
            await _say(counting.inner, message.sender_id, "handoff_withdrawn")
            return
        message.text = rest if rest is not None else message.text
        try:
            await on_new_message(message)
        except Exception:  # noqa: BLE001 - the resident must still get an answer
            logger.exception("处理消息失败（会话 %s）", message.sender_id)
        if counting.sent == 0:
            reason = await _silence_reason(message.sender_id)
            answered = await _answered_while_waiting(counting.inner, message) if reason == "handoff_waiting" else False
            await _say(counting.inner, message.sender_id, "handoff_waiting_answered" if answered else reason)

    return handle


def _answers_while_waiting(text: str) -> List[Reply]:
    """What the assistant can say at once to a question asked while the resident waits for a person
    ("你们几点下班", "我想投靠女儿，可以吗"): the responder's answer without the classifier's reading,
    so only what the search and the answer gate agree on; nothing for anything else."""
    kb, index = KNOWLEDGE.get()
    responder = responder_for(kb, index)
    # "还在吗" asks only after the person: the wait is the answer
    speaks_of_policy = responder.concepts.names_policy(text) or answers.not_covered_topics(kb, text)
    if not (asks_anything(text) and speaks_of_policy):
        return []
    plan = responder.answer(Question(text))
    return plan.replies if plan.understood else []


async def _answered_while_waiting(output: OutputChannel, message: UserMessage) -> bool:
    try:
        replies = await asyncio.to_thread(_answers_while_waiting, message.text)
    except Exception:  # noqa: BLE001 - the resident still hears that the request waits
        logger.exception("等待人工时回答失败（会话 %s）", message.sender_id)
        return False
    for reply in replies:
        if reply.buttons:
            await output.send_text_with_buttons(message.sender_id, reply.text, reply.buttons)
        else:
            await output.send_text_message(message.sender_id, reply.text)
    if replies:
        await _record_replies(message.sender_id, [reply.text for reply in replies])
    return bool(replies)


async def _record_replies(sender_id: str, texts: List[str]) -> None:
    """The answers given while the conversation waits go into it, so that the staff member who takes
    it over reads what the resident was already told."""
    try:
        await _append_events(sender_id, [BotUttered(text) for text in texts])
    except Exception:  # noqa: BLE001 - the resident already has the answer; only the record is missing
        logger.exception("等待人工时的回答未能记入对话（会话 %s）", sender_id)


async def _withdrawn_handoff(sender_id: str, text: str) -> Optional[str]:
    """A resident waiting for a person who says they no longer need one ("算了，就问你吧，…"): the
    request leaves the queue and the conversation is resumed, so that the assistant answers what
    the message asks besides (returned, possibly empty). None when nothing was withdrawn."""
    kb, _ = KNOWLEDGE.get()
    rest = handoff_withdrawal(kb, text)
    if rest is None:
        return None
    try:
        if not await asyncio.to_thread(handoffs.withdraw, sender_id):
            return None
        await _resume(sender_id)
    except Exception:  # noqa: BLE001 - the message then goes on as it came (the wait goes on too)
        logger.exception("取消人工排队失败（会话 %s）", sender_id)
        return None
    return rest


async def _resume(sender_id: str) -> None:
    """Append Rasa's resume event, as staff's hand-back does, under the conversation's lock."""
    # and listening, as after any turn: a paused conversation stopped before its action_listen,
    # and without it the rules do not match the next message (core fallback, over and over)
    await _append_events(sender_id, [ConversationResumed(), ActionExecuted(ACTION_LISTEN_NAME)], only_if_paused=True)


async def _append_events(sender_id: str, events: list, only_if_paused: bool = False) -> None:
    """Append events to the stored conversation under its lock (nothing without Rasa in this process,
    as in a test's stand-in, or without the conversation)."""
    agent = _rasa_agent()
    store, locks = getattr(agent, "tracker_store", None), getattr(agent, "lock_store", None)
    if store is None or locks is None:
        return
    async with locks.lock(sender_id):
        tracker = await store.retrieve(sender_id)
        if tracker is None or (only_if_paused and not tracker.is_paused()):
            return
        for event in events:
            tracker.update(event)
        await store.save(tracker)


def _valid_sender(sender_id: Any) -> bool:
    return isinstance(sender_id, str) and 0 < len(sender_id) <= MAX_SENDER_CHARS


async def _silence_reason(sender_id: str) -> str:
    """Why Rasa sent nothing: the conversation waits for a person (paused), or something failed."""
    try:
        waiting = await asyncio.to_thread(handoffs.awaits_staff, sender_id)
    except Exception:  # noqa: BLE001 - an unreachable queue must not cost the resident a reply
        logger.exception("无法读取人工队列（会话 %s）", sender_id)
        waiting = False
    return "handoff_waiting" if waiting else "service_unavailable"
