"""Every action call gets an answer the resident can read, and no failure puts personal data in a log.

rasa-sdk answers an exception in an action with HTTP 500 and the whole request in the body — the
tracker, with everything the resident typed (names, addresses, application numbers) — and logs the
request; Rasa then logs that body at ERROR. Here rasa-sdk's catch-all is replaced (``install``):

- an exception raised while an action runs becomes a normal reply (200): the operator's
  ``service_unavailable`` message (系统繁忙 + hotline) and no events, so a form stays where it was
  and goes on once the fault is gone;
- the log gets the action's name, the conversation id, the exception's class (and its causes') and
  the code locations it passed through — never exception messages, which can quote data (a
  ``ValueError(text)``, a database error naming a value), and never the request;
- Sanic's own refusals (unknown route, wrong method, body too large) keep their status with a
  short reason, not the request.
"""

from __future__ import annotations

import logging
import traceback
from typing import Any, Dict, List, Optional

from rasa_sdk.executor import CollectingDispatcher
from sanic import Sanic, response
from sanic.exceptions import SanicException
from sanic.request import Request
from sanic.response import HTTPResponse

logger = logging.getLogger(__name__)

# Said when even the knowledge base cannot be read (a broken publish is one cause of failures).
FALLBACK_TEXT = "系统繁忙，暂时无法回答，请稍后再试或拨打韶关12345政务服务便民热线（12345）。"
MAX_FRAMES = 12


def unavailable_messages() -> List[Dict[str, Any]]:
    """The 系统繁忙 reply as rasa-sdk sends messages, from the knowledge base in service if it loads."""
    dispatcher = CollectingDispatcher()
    try:
        from policy_kb import answers
        from policy_kb.live import KNOWLEDGE

        kb, _ = KNOWLEDGE.get()
        reply = answers.message(kb, "service_unavailable")
        dispatcher.utter_message(text=reply.text, buttons=reply.buttons or [])
    except Exception:  # noqa: BLE001 - the reply must not depend on what may have failed
        logger.error("知识库不可用，使用内置的系统繁忙答复")
        dispatcher.utter_message(text=FALLBACK_TEXT)
    return dispatcher.messages


def describe(error: BaseException) -> str:
    """Exception classes (with causes) and code locations, without any exception message."""
    classes, seen, current = [], set(), error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        classes.append(f"{type(current).__module__}.{type(current).__qualname__}")
        current = current.__cause__ or current.__context__
    frames = traceback.extract_tb(error.__traceback__)[-MAX_FRAMES:]
    where = "; ".join(f"{frame.filename}:{frame.lineno} {frame.name}" for frame in frames)
    return f"{' ← '.join(classes)}｜{where}"


def _call(request: Request) -> Dict[str, Any]:
    try:
        body = request.json
    except Exception:  # noqa: BLE001 - an unreadable body has nothing to name
        return {}
    return body if isinstance(body, dict) else {}


def _text(value: Any) -> Optional[str]:
    return value if isinstance(value, str) and len(value) <= 128 else None


def failure_response(request: Request, error: BaseException) -> HTTPResponse:
    """The reply to a request that raised, logged without the request."""
    if isinstance(error, SanicException):
        return response.json({"error": type(error).__name__}, status=getattr(error, "status_code", 500))
    call = _call(request)
    logger.error(
        "动作 %s 执行失败，已答复系统繁忙（会话 %s）：%s",
        _text(call.get("next_action")),
        _text(call.get("sender_id")),
        describe(error),
    )
    return response.json({"events": [], "responses": unavailable_messages()}, status=200)


def install(app: Sanic) -> Sanic:
    """Replace rasa-sdk's catch-all exception handler on ``app`` (the later registration wins)."""

    @app.exception(Exception)
    async def failed(request: Request, error: Exception) -> HTTPResponse:
        return failure_response(request, error)

    return app
