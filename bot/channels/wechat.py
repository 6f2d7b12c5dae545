"""The WeChat Official Account channel, at /webhooks/wechat/webhook.

WeChat waits 5 seconds for a passive XML reply and retries the same push up to three times.
So each push is answered once: retries share the first attempt's work (keyed by sender and
MsgId, claimed in the store all Rasa instances share), the answer is awaited for at most
REPLY_TIMEOUT_SECONDS, and a slower answer is acknowledged with ``success`` and delivered through
the customer-service API when it is ready. A signed (timestamp, nonce) pair is accepted once: a
copied request sent again is refused (403). Protocol details live in ``wechat_protocol``, what was
seen in ``wechat_seen`` and text layout in ``wechat_render``; this module only wires them to Rasa
and Sanic. What a resident wrote is never logged.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Dict, List, Optional, Set, Text

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from wechatpy.crypto import WeChatCrypto

from bot.channels.guard import guarded
from bot.channels.inbound import BadRequest, Inbound
from bot.channels.wechat_api import CustomerServiceError, CustomerServiceSender, MessageSender
from bot.channels.wechat_protocol import (
    MAX_BODY_BYTES,
    REPLAY_WINDOW_SECONDS,
    Clock,
    Envelope,
    TTLCache,
    WeChatMessage,
    encrypt_reply,
    open_request,
    reply_xml,
    verify_url,
)
from bot.channels.wechat_render import ReplyMemory, render_messages, split_text
from bot.channels.wechat_seen import SeenStore, seen_store
from policy_kb import answers
from policy_kb.live import KNOWLEDGE
from policy_kb.model import WECHAT_TEXT_LIMIT_BYTES
from policy_kb.text import MAX_MESSAGE_CHARS, clean_message

logger = logging.getLogger(__name__)

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]
REPLY_TIMEOUT_SECONDS = 4.5  # WeChat gives up after 5 s, network included
# A captured request stays signature-valid for the whole replay window on either side of now.
DEDUP_SECONDS = 2 * REPLAY_WINDOW_SECONDS
DEDUP_ENTRIES = 10_000


@dataclass
class _Pending:
    task: "asyncio.Task[Optional[str]]"
    deferred: bool = False  # answered "success"; the customer-service API delivers it


def _kb_messages(*keys: str) -> List[Dict[str, Any]]:
    kb, _ = KNOWLEDGE.get()
    replies = [answers.message(kb, key) for key in keys]
    return [{"text": reply.text, "buttons": reply.buttons} for reply in replies]


class WeChatConversations:
    """Turns verified WeChat messages into reply text, once per push, within WeChat's deadline."""

    def __init__(
        self,
        sender: Optional[MessageSender] = None,
        reply_timeout: float = REPLY_TIMEOUT_SECONDS,
        clock: Clock = time.monotonic,
        shared: Optional[SeenStore] = None,
    ):
        self._sender, self._reply_timeout, self._shared = sender, reply_timeout, shared
        self._seen: TTLCache[str, _Pending] = TTLCache(DEDUP_ENTRIES, DEDUP_SECONDS, clock)
        self.memory = ReplyMemory(clock=clock)
        self._background: Set[asyncio.Task] = set()

    async def respond(self, message: WeChatMessage, on_new_message: OnNewMessage) -> Optional[str]:
        """Text for the passive reply, or None to answer ``success`` (nothing to say now)."""
        pending = self._seen.get(message.dedup_key)
        if pending is None:
            # Registered before the first await, so concurrent retries here share this task.
            pending = _Pending(self._spawn(self._answer_once(message, on_new_message)))
            self._seen.put(message.dedup_key, pending)
        else:
            logger.debug("微信重试已去重（%s）", message.dedup_key)
        return await self._wait(pending, message.from_user)

    @property
    def sender(self) -> Optional[MessageSender]:
        return self._sender

    async def close(self) -> None:
        if self._sender is not None:
            await self._sender.close()

    async def _wait(self, pending: _Pending, openid: str) -> Optional[str]:
        if not pending.deferred:
            done, _ = await asyncio.wait({pending.task}, timeout=self._reply_timeout)  # never cancels the task
            if done:
                return self._result(pending.task)
        if pending.deferred:
            return None
        pending.deferred = True
        if self._sender is None:
            # No AppSecret, so no way to deliver later: say so now rather than stay silent.
            return render_messages(_kb_messages("service_unavailable")).pages[0]
        self._spawn(self._deliver_later(pending.task, openid))
        return None

    @staticmethod
    def _result(task: "asyncio.Task[Optional[str]]") -> Optional[str]:
        try:
            return task.result()
        except Exception:  # noqa: BLE001 - acknowledge rather than answer 500, which WeChat retries
            logger.exception("微信消息处理异常")
            return None

    async def _deliver_later(self, task: "asyncio.Task[Optional[str]]", openid: str) -> None:
        try:
            page = await task
            if page:
                await self._sender.send_text(openid, page)
        except CustomerServiceError as error:
            logger.warning("微信客服消息发送失败（会话 %s，errcode %s）", openid, error.errcode)
        except Exception:  # noqa: BLE001 - a background task must log, not die silently
            logger.exception("微信客服消息发送失败（会话 %s）", openid)

    def _spawn(self, coroutine: Awaitable) -> asyncio.Task:
        # The event loop keeps only weak references to tasks: hold them until they finish.
        task = asyncio.ensure_future(coroutine)
        self._background.add(task)
        task.add_done_callback(self._background.discard)
        return task

    async def _answer_once(self, message: WeChatMessage, on_new_message: OnNewMessage) -> Optional[str]:
        """The answer, unless another Rasa instance (or this one before a restart) claimed the push."""
        if self._shared is not None:
            try:
                first = await self._shared.first_use(message.dedup_key, DEDUP_SECONDS)
            except Exception:  # noqa: BLE001 - a second turn is a smaller harm than no answer
                logger.warning("微信消息去重存储不可用，按首次处理（会话 %s）", message.from_user, exc_info=True)
                first = True
            if not first:
                logger.debug("微信重试已由其他实例处理（%s）", message.from_user)
                return None
        return await self._answer(message, on_new_message)

    async def _answer(self, message: WeChatMessage, on_new_message: OnNewMessage) -> Optional[str]:
        openid = message.from_user
        if message.msg_type == "event":
            if message.event != "subscribe":
                return None  # menu clicks, location reports, unsubscribe: nothing to say
            messages = _kb_messages("greet", "help")
        elif message.msg_type in ("text", "voice"):
            text = clean_message((message.content if message.msg_type == "text" else message.recognition) or "")
            if message.msg_type == "voice" and not text:
                messages = _kb_messages("unsupported_input")  # recognition off or failed: ask to type
            else:
                page = self.memory.next_page(openid, text)
                if page is not None:
                    return page
                messages = await self._ask_rasa(self._inbound(openid, text), on_new_message)
        else:
            messages = _kb_messages("unsupported_input")
        return self.memory.first_page(openid, render_messages(messages))

    def _inbound(self, openid: str, text: str) -> Inbound:
        payload = self.memory.payload_for(openid, text)
        if payload is not None:
            return Inbound(openid, payload)
        return Inbound(openid, text[:MAX_MESSAGE_CHARS], len(text) > MAX_MESSAGE_CHARS)

    async def _ask_rasa(self, inbound: Inbound, on_new_message: OnNewMessage) -> List[Dict[str, Any]]:
        """Rasa's answer to one message, as for the REST channel: never empty."""
        if inbound.empty:
            return _kb_messages("empty_input")
        if not inbound.meaningful:
            return _kb_messages("unsupported_input")
        collector = CollectingOutputChannel()
        try:
            await on_new_message(UserMessage(inbound.text, collector, inbound.sender, input_channel="wechat"))
        except Exception:  # noqa: BLE001 - any failure must still give the resident an answer
            # Deliberately without the message text: it may hold personal data.
            logger.exception("处理微信消息失败（会话 %s）", inbound.sender)
        replies = list(collector.messages) or _kb_messages("service_unavailable")
        return (_kb_messages("too_long") if inbound.truncated else []) + replies


class WeChatPushOutput(OutputChannel):
    """Messages sent outside the resident's own turn (a staff reply, the hand-back), delivered
    through the customer-service API; WeChat allows them for 48 hours after the resident wrote."""

    @classmethod
    def name(cls) -> Text:
        return "wechat"

    def __init__(self, sender: MessageSender):
        self._sender = sender

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        for piece in split_text(text, WECHAT_TEXT_LIMIT_BYTES):
            try:
                await self._sender.send_text(recipient_id, piece)
            except CustomerServiceError as error:
                logger.warning("微信客服消息发送失败（会话 %s，errcode %s）", recipient_id, error.errcode)
                return


class WeChatInput(InputChannel):
    """Rasa input channel for a WeChat Official Account server (plain and safe mode)."""

    @classmethod
    def name(cls) -> Text:
        return "wechat"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "WeChatInput":
        credentials = credentials or {}
        keys = ("token", "app_id", "app_secret", "aes_key", "redis_url")
        value = {key: str(credentials.get(key) or "").strip() for key in keys}
        sender = None
        if value["app_id"] and value["app_secret"]:
            sender = CustomerServiceSender(value["app_id"], value["app_secret"])
        return cls(value["token"], value["app_id"], value["aes_key"], sender, seen=seen_store(value["redis_url"]))

    def __init__(
        self,
        token: str,
        app_id: str = "",
        aes_key: str = "",
        sender: Optional[MessageSender] = None,
        clock: Clock = time.time,
        reply_timeout: float = REPLY_TIMEOUT_SECONDS,
        seen: Optional[SeenStore] = None,
    ):
        """``seen``: where used nonces and claimed pushes are kept (``wechat_seen``); shared by every
        Rasa instance of a deployment. The default, a SQLite file, suits one Rasa process."""
        self.token, self._clock = token, clock
        self.crypto = _crypto(token, app_id, aes_key)
        self.seen = seen if seen is not None else seen_store(None)
        self.conversations = WeChatConversations(sender, reply_timeout, shared=self.seen)

    def get_output_channel(self) -> Optional[OutputChannel]:
        """For Rasa's API (?output_channel=latest): how staff replies reach a WeChat resident."""
        sender = self.conversations.sender
        return WeChatPushOutput(sender) if sender is not None else None

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        on_new_message = guarded(on_new_message)  # ID digits never reach the tracker
        webhook = Blueprint("wechat_webhook", __name__)
        if not self.token:
            logger.warning("未配置 WECHAT_TOKEN：微信渠道拒绝所有请求（503）。")
        elif self.crypto is None:
            logger.warning("微信渠道为明文模式：签名不覆盖消息内容。请在公众号后台改用安全模式并配置 WECHAT_AES_KEY。")

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok", "configured": bool(self.token)})

        @webhook.route("/webhook", methods=["GET"])
        async def verify(request: Request) -> HTTPResponse:
            try:
                return response.text(verify_url(_params(request), self.token, self._clock()))
            except BadRequest as error:
                return response.text(str(error), status=error.status)

        @webhook.route("/webhook", methods=["POST"], stream=True)
        async def receive(request: Request) -> HTTPResponse:
            try:
                body = await _read_capped(request)
                envelope = open_request(_params(request), body, self.token, self.crypto, self._clock())
                first = await self._first_use(envelope)
            except BadRequest as error:
                return response.text(str(error), status=error.status)
            if first:
                content = await self.conversations.respond(envelope.message, on_new_message)
            else:  # nothing is known about the request: say only that the service is busy
                content = render_messages(_kb_messages("service_unavailable")).pages[0]
            if content is None:
                return response.text("success")
            xml = reply_xml(envelope.message, content, self._clock())
            if envelope.encrypted:
                xml = encrypt_reply(self.crypto, xml, envelope.nonce, self._clock())
            return response.text(xml, content_type="application/xml; charset=utf-8")

        @webhook.listener("after_server_stop")
        async def close(*_: Any) -> None:
            await self.conversations.close()
            await self.seen.close()

        return webhook

    async def _first_use(self, envelope: Envelope) -> bool:
        """BadRequest (403) when the request's (timestamp, nonce) was used before: a replay. False when
        the store cannot tell: the request is then answered 系统繁忙 without reaching Rasa (fail closed)."""
        try:
            first = await self.seen.first_use(envelope.replay_key, 2 * REPLAY_WINDOW_SECONDS)
        except Exception:  # noqa: BLE001 - Redis or the file unreachable
            logger.warning("微信防重放存储不可用，本条消息未处理", exc_info=True)
            return False
        if not first:
            logger.warning("拒绝重放的微信请求（timestamp %s）", envelope.timestamp)
            raise BadRequest("请求重复。", status=403)
        return True


def _crypto(token: str, app_id: str, aes_key: str) -> Optional[WeChatCrypto]:
    if not aes_key:
        return None
    if not app_id:
        raise ValueError("微信安全模式需要同时配置 WECHAT_APP_ID 和 WECHAT_AES_KEY。")
    try:
        return WeChatCrypto(token, aes_key, app_id)
    except Exception:  # noqa: BLE001 - wechatpy asserts on the key length; say what is wrong instead
        raise ValueError("WECHAT_AES_KEY 应为公众号后台的 43 位 EncodingAESKey。") from None


def _params(request: Request) -> Dict[str, str]:
    return {key: request.args.get(key) for key in request.args}


async def _read_capped(request: Request) -> bytes:
    """The request body, refused (413) as soon as it passes MAX_BODY_BYTES: never read in full."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise BadRequest("请求过大。", status=413)
    chunks, size = [], 0
    async for chunk in request.stream:
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise BadRequest("请求过大。", status=413)
        chunks.append(chunk)
    return b"".join(chunks)
