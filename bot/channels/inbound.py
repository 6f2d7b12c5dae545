"""Checks on what a channel receives, before any of it reaches Rasa. No Rasa or Sanic here."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Optional

from bot.channels.conversation_ids import rest_may_use
from policy_kb.text import MAX_MESSAGE_CHARS, clean_message, has_meaning

# A question is a few hundred bytes; 256 KiB still admits 20,000 characters sent as \\u escapes.
MAX_BODY_BYTES = 256 * 1024
MAX_SENDER_CHARS = 128


class BadRequest(ValueError):
    """The request itself is malformed: answer 4xx with this Chinese message."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Inbound:
    sender: str
    text: str  # cleaned and, if needed, shortened
    truncated: bool = False
    metadata: Optional[dict] = None

    @property
    def empty(self) -> bool:
        return not self.text

    @property
    def meaningful(self) -> bool:
        return has_meaning(self.text)


def parse_rest_body(body: bytes) -> Inbound:
    """The REST channel's JSON body ``{"sender": ..., "message": ...}``, validated and cleaned."""
    if len(body) > MAX_BODY_BYTES:
        raise BadRequest("消息过长，请精简后再发送。", status=413)
    payload = _json_object(body)
    sender = _sender(payload.get("sender"))
    if not rest_may_use(sender):
        raise BadRequest(
            "这个会话编号属于微信公众号或网页聊天的居民，不能通过本接口发送。请使用您自己的会话编号。", status=403
        )
    message = payload.get("message")
    if message is None:
        message = ""
    if not isinstance(message, str):
        raise BadRequest("message 字段必须是文字。")
    text = clean_message(message)
    metadata = payload.get("metadata") if isinstance(payload.get("metadata"), dict) else None
    return Inbound(sender, text[:MAX_MESSAGE_CHARS], len(text) > MAX_MESSAGE_CHARS, metadata)


def _json_object(body: bytes) -> dict:
    try:
        payload: Any = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise BadRequest("请求格式不正确：需要 UTF-8 编码的 JSON。") from None
    if not isinstance(payload, dict):
        raise BadRequest('请求格式不正确：需要 JSON 对象，例如 {"sender": "u1", "message": "你好"}。')
    return payload


def _sender(value: Any) -> str:
    if value is None:
        raise BadRequest("缺少 sender（会话编号）。")
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise BadRequest("sender 必须是文字或数字。")
    sender = clean_message(str(value))
    if not sender or len(sender) > MAX_SENDER_CHARS:
        raise BadRequest(f"sender 不能为空，且不超过 {MAX_SENDER_CHARS} 个字符。")
    return sender
