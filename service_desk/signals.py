"""What residents tell us without saying it: questions the assistant could not answer well and
their 有用/没用 ratings. Written by the action server; read by the report and the console.

Recording must never cost a resident their answer: a failure is logged and swallowed.
"""

from __future__ import annotations

import logging
from typing import Optional

from platform_core.redaction import redact
from service_desk.store import RATING_KINDS, UNANSWERED_KINDS, ResidentSignal, session_scope

logger = logging.getLogger(__name__)

MAX_STORED_CHARS = 500


def record_signal(
    kind: str,
    text: str = "",
    intent: Optional[str] = None,
    confidence: Optional[float] = None,
    faq_id: Optional[str] = None,
    channel: Optional[str] = None,
) -> bool:
    """Store one signal (the text redacted again: ID digits and phone numbers never stored)."""
    if kind not in UNANSWERED_KINDS + RATING_KINDS:
        raise ValueError(f"unknown signal kind {kind!r}")
    row = ResidentSignal(
        kind=kind,
        text=redact(text or "", id_tail=True)[:MAX_STORED_CHARS],
        intent=intent,
        confidence=None if confidence is None else float(confidence),
        faq_id=faq_id,
        channel=channel,
    )
    try:
        with session_scope() as session:
            session.add(row)
    except Exception:  # noqa: BLE001 - the resident's answer matters more than the report
        logger.exception("记录居民反馈失败（类型 %s）", kind)
        return False
    return True
