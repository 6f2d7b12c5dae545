"""Look up an application for a resident who proves they hold its receipt and the applicant's ID.

An unknown number and a wrong ID tail give the very same answer (None), so the assistant cannot
be used to learn which application numbers exist. Queries are short, but they are blocking I/O:
callers on an event loop (the rasa-sdk action server) use the ``*_async`` wrappers, which run
them in a worker thread via :func:`asyncio.to_thread`.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hmac
from dataclasses import dataclass
from typing import Optional

from sqlalchemy import select

from platform_core.settings import Settings, get_settings
from status_store.credentials import is_application_no, normalise_application_no
from status_store.db import session_scope
from status_store.models import Application
from status_store.privacy import credential_hmac, is_tail_token, normalise_id_tail
from status_store.throttle import LookupThrottle

NEXT_STEPS = {
    "已受理": "您的申请已受理，正在等待审核，暂时不需要做什么。",
    "审核中": "材料正在审核中，请留意办理窗口的短信或电话通知。",
    "需补充材料": "请按通知准备所缺材料，带上受理回执到办理窗口补交。",
    "已办结": "申请已办结。如需领取证件，请带上受理回执和本人身份证到办理窗口。",
    "不予受理": "如对结果有疑问，可带上受理回执到办理窗口咨询原因。",
}


@dataclass(frozen=True)
class StatusView:
    """What a verified resident may see; the applicant is named only masked."""

    application_no: str
    masked_name: str
    category: str
    status: str
    office: str
    submitted_at: dt.date
    updated_at: dt.date
    note: str
    next_step: str


@dataclass(frozen=True)
class LookupResult:
    view: Optional[StatusView]  # None: no match, or locked
    locked: bool = False  # refused without looking, or this failure used the last attempt
    attempts_left: int = 0

    @property
    def found(self) -> bool:
        return self.view is not None


def lookup(application_no: str, id_last6: str, *, settings: Optional[Settings] = None) -> Optional[StatusView]:
    """The application's status, or None when the number is unknown OR the ID tail is wrong.

    ``id_last6`` is the tail as typed or its :func:`~status_store.privacy.tail_token`.
    """
    settings = settings or get_settings()
    number = normalise_application_no(application_no or "")
    tail = id_last6 if is_tail_token(id_last6) else normalise_id_tail(id_last6 or "")
    if tail is None or not is_application_no(number):
        return None
    with session_scope(settings) as session:
        app = session.scalar(select(Application).where(Application.application_no == number))
        # Always compute and compare, so an unknown number costs the same as a wrong tail.
        expected = credential_hmac(settings.hmac_secret, number, tail)
        stored = app.id_hmac if app is not None else "0" * len(expected)
        if app is None or not hmac.compare_digest(expected, stored):
            return None
        return _view(app)


def _view(app: Application) -> StatusView:
    return StatusView(
        application_no=app.application_no,
        masked_name=app.masked_name,
        category=app.category,
        status=app.status,
        office=app.office,
        submitted_at=app.submitted_at,
        updated_at=app.updated_at,
        note=app.note,
        next_step=NEXT_STEPS.get(app.status, ""),
    )


def throttled_lookup(
    conversation_id: str,
    application_no: str,
    id_last6: str,
    *,
    client: Optional[str] = None,
    throttle: Optional[LookupThrottle] = None,
    settings: Optional[Settings] = None,
) -> LookupResult:
    """:func:`lookup` for a resident, behind the limits per conversation, per application number
    and per ``client`` (the address the channel saw, if any): once one is reached, nothing is
    looked up until its failures age out. Staff use :func:`lookup` itself, which no limit holds.
    """
    throttle = throttle or LookupThrottle(settings)
    number = normalise_application_no(application_no or "")
    subjects = throttle.subjects(conversation_id, number, client)
    attempt = throttle.begin(subjects)
    if attempt is None:
        return LookupResult(view=None, locked=True)
    view = lookup(number, id_last6, settings=settings or throttle.settings)
    if view is not None:
        throttle.succeeded(attempt)
        return LookupResult(view=view, attempts_left=attempt.attempts_left + 1)
    throttle.alert_if_reached(subjects, number)
    return LookupResult(view=None, locked=attempt.attempts_left == 0, attempts_left=attempt.attempts_left)


async def lookup_async(
    application_no: str, id_last6: str, *, settings: Optional[Settings] = None
) -> Optional[StatusView]:
    """:func:`lookup` in a worker thread, so the action server's event loop keeps serving."""
    return await asyncio.to_thread(lookup, application_no, id_last6, settings=settings)


async def throttled_lookup_async(
    conversation_id: str,
    application_no: str,
    id_last6: str,
    *,
    client: Optional[str] = None,
    throttle: Optional[LookupThrottle] = None,
    settings: Optional[Settings] = None,
) -> LookupResult:
    """:func:`throttled_lookup` in a worker thread."""
    return await asyncio.to_thread(
        throttled_lookup, conversation_id, application_no, id_last6, client=client, throttle=throttle, settings=settings
    )
