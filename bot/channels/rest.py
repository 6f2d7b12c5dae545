"""The REST channel residents' clients post to, at /webhooks/rest/webhook.

Rasa's own RestInput answers 500 for a JSON list, logs the message text on errors and returns
``[]`` when the action server is down. This one refuses malformed requests with a clear 4xx,
answers empty or emoji-only messages politely without bothering the model, never logs what a
resident wrote, and never returns an empty reply.

REST is for integrations (bot/channels/integrations.py): with integrations configured, or in
production mode, a request without an integration's token is refused (401), and each
integration's conversations are filed under its own name.
"""

from __future__ import annotations

import dataclasses
import logging
from typing import Any, Awaitable, Callable, Dict, List, Optional

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.guard import client_address, guarded, with_client
from bot.channels.inbound import MAX_SENDER_CHARS, BadRequest, Inbound, parse_rest_body
from bot.channels.integrations import Integrations, conversation_id
from policy_kb import answers
from policy_kb.live import KNOWLEDGE

logger = logging.getLogger(__name__)


def _text_reply(recipient: str, key: str) -> Dict[str, Any]:
    kb, _ = KNOWLEDGE.get()
    return {"recipient_id": recipient, "text": answers.message(kb, key).text}


async def handle(
    inbound: Inbound, on_new_message: Callable[[UserMessage], Awaitable[Any]], client: Optional[str] = None
) -> List[Dict[str, Any]]:
    """Replies for one resident message, never empty; ``client``: the address it came from."""
    if inbound.empty:
        return [_text_reply(inbound.sender, "empty_input")]
    if not inbound.meaningful:
        return [_text_reply(inbound.sender, "unsupported_input")]
    collector = CollectingOutputChannel()
    try:
        await on_new_message(
            UserMessage(
                inbound.text,
                collector,
                inbound.sender,
                input_channel="rest",
                metadata=with_client(inbound.metadata, client),
            )
        )
    except Exception:  # noqa: BLE001 - any failure must still give the resident an answer
        # Deliberately without the message text: it may hold personal data.
        logger.exception("处理消息失败（会话 %s）", inbound.sender)
    replies = list(collector.messages) or [_text_reply(inbound.sender, "service_unavailable")]
    if inbound.truncated:
        replies.insert(0, _text_reply(inbound.sender, "too_long"))
    return replies


class ResidentRestInput(RestInput):
    @classmethod
    def name(cls) -> str:
        return "rest"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        on_new_message = guarded(on_new_message)
        integrations = Integrations.from_settings()  # read at start-up: a bad entry stops Rasa here
        if integrations.required and not integrations.tokens:
            logger.warning("生产模式未配置 REST_INTEGRATIONS：REST 接口拒绝所有请求（401）。")
        webhook = Blueprint("resident_rest_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            integration = integrations.identify(request.headers.get("Authorization"))
            if integrations.required and integration is None:
                return response.json(
                    {"error": "REST 接口只供已登记的集成使用：请在 Authorization 头中提供 Bearer 令牌。"},
                    status=401,
                    headers={"WWW-Authenticate": "Bearer"},
                )
            try:
                inbound = _for_integration(parse_rest_body(request.body or b""), integration)
            except BadRequest as error:
                return response.json({"error": str(error)}, status=error.status)
            return response.json(await handle(inbound, on_new_message, client_address(request)))

        return webhook


def _for_integration(inbound: Inbound, integration: Optional[str]) -> Inbound:
    """The message filed under the integration's own conversation id (none without a credential)."""
    if integration is None:
        return inbound
    sender = conversation_id(integration, inbound.sender)
    if len(sender) > MAX_SENDER_CHARS:
        raise BadRequest(f"sender 太长：加上集成名后不能超过 {MAX_SENDER_CHARS} 个字符。")
    return dataclasses.replace(inbound, sender=sender)
