"""The REST channel residents' clients post to, at /webhooks/rest/webhook.

Rasa's own RestInput answers 500 for a JSON list, logs the message text on errors and returns
``[]`` when the action server is down. This one refuses malformed requests with a clear 4xx,
answers empty or emoji-only messages politely without bothering the model, never logs what a
resident wrote, and never returns an empty reply.
"""

from __future__ import annotations

import logging
from typing import Any, Awaitable, Callable, Dict, List, Optional

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.guard import client_address, guarded, with_client
from bot.channels.inbound import BadRequest, Inbound, parse_rest_body
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
        webhook = Blueprint("resident_rest_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            try:
                inbound = parse_rest_body(request.body or b"")
            except BadRequest as error:
                return response.json({"error": str(error)}, status=error.status)
            return response.json(await handle(inbound, on_new_message, client_address(request)))

        return webhook
