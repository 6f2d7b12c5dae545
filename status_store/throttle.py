"""Limit failed lookups per conversation, per application number and per client, across restarts.

Six characters of an ID tail are only about a million guesses. A limit per conversation alone
does not hold: a client starts a new conversation whenever it likes. So failures are also
counted per application number (after ``APPLICATION.limit`` failures the number rests for its
window, whoever asks: the "cooling-off") and per client (the address the channel saw), all in the
status database, which every action server of a deployment shares (PostgreSQL when scaled).

Each attempt is written *before* the lookup and counted with every other attempt already written,
so parallel requests cannot all slip under a limit; an attempt that is refused or succeeds is
taken back. A successful lookup therefore adds no failure, and does not clear the count either:
otherwise someone holding one valid pair could reset the counter between guesses at another.

Rows hold only an HMAC of the subject (scope-prefixed), so the table says nothing about who was
chatting or which number was asked about. When a number reaches its limit, a WARNING names it by a
short keyed hash (``number_tag``), never the number.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
from dataclasses import dataclass
from typing import Callable, List, Optional, Sequence, Tuple

from sqlalchemy import delete, select

from platform_core.settings import Settings, get_settings
from status_store.db import session_scope
from status_store.models import LookupAttempt
from status_store.privacy import conversation_hmac

Clock = Callable[[], dt.datetime]
logger = logging.getLogger(__name__)
GUESSING_NUMBER = "告警：受理编号 #%s 在 %d 分钟内查询失败 %d 次，疑似有人在猜身份证尾号；该编号的自助查询暂停"
GUESSING_CLIENT = "告警：客户端 #%s 在 %d 分钟内查询失败 %d 次，疑似有人在猜身份证尾号；其自助查询暂停"


@dataclass(frozen=True)
class Limit:
    """At most ``limit`` failed lookups of one subject of ``scope`` within ``window``."""

    scope: str
    limit: int
    window: dt.timedelta


CONVERSATION = Limit("conversation", 5, dt.timedelta(hours=1))
APPLICATION = Limit("application", 5, dt.timedelta(minutes=15))
CLIENT = Limit("client", 20, dt.timedelta(hours=1))
MAX_FAILURES, WINDOW = CONVERSATION.limit, CONVERSATION.window  # the conversation's, as before
Subject = Tuple[Limit, str]  # a limit and the HMAC of whom it counts


def utcnow() -> dt.datetime:
    """Naive UTC now, the form stored in ``attempted_at``."""
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


def subject_hmac(secret: bytes, scope: str, value: str) -> str:
    """Keyed hash of a counted subject; a conversation's is the one this table has always used."""
    if scope == CONVERSATION.scope:
        return conversation_hmac(secret, value)
    return hmac.new(secret, f"{scope}:{value}".encode(), hashlib.sha256).hexdigest()


def number_tag(secret: bytes, application_no: str) -> str:
    """How the log names an application number: 12 hex characters of its keyed hash."""
    return subject_hmac(secret, APPLICATION.scope, application_no)[:12]


@dataclass(frozen=True)
class Attempt:
    """One lookup let through: its pending rows, and how many tries each limit has left after it."""

    ids: Tuple[int, ...]
    attempts_left: int


class LookupThrottle:
    """Counts failed lookups per conversation, application number and client, in the status database."""

    def __init__(
        self,
        settings: Optional[Settings] = None,
        *,
        limit: int = CONVERSATION.limit,
        window: dt.timedelta = CONVERSATION.window,
        application: Limit = APPLICATION,
        client: Limit = CLIENT,
        clock: Clock = utcnow,
    ):
        # Settings are resolved on first use, so an action module may build a throttle at import.
        self._settings = settings
        self.conversation = Limit(CONVERSATION.scope, limit, window)
        self.application, self.client = application, client
        self._clock = clock

    @property
    def settings(self) -> Settings:
        return self._settings or get_settings()

    @property
    def limit(self) -> int:
        return self.conversation.limit

    @property
    def window(self) -> dt.timedelta:
        return self.conversation.window

    def subjects(
        self, conversation_id: str, application_no: Optional[str] = None, client: Optional[str] = None
    ) -> List[Subject]:
        """The limits that apply to a lookup, each with the hash of the subject it counts."""
        secret = self.settings.hmac_secret
        found = [(self.conversation, subject_hmac(secret, CONVERSATION.scope, conversation_id))]
        if application_no:
            found.append((self.application, subject_hmac(secret, APPLICATION.scope, application_no)))
        if client:
            found.append((self.client, subject_hmac(secret, CLIENT.scope, client)))
        return found

    # ── counting ────────────────────────────────────────────────────────────────────────────
    def counts(self, subjects: Sequence[Subject]) -> List[int]:
        """Attempts of each subject within its limit's window (one query)."""
        now = self._clock()
        since = now - max(limit.window for limit, _ in subjects)
        query = select(LookupAttempt.key_hmac, LookupAttempt.attempted_at).where(
            LookupAttempt.key_hmac.in_({key for _, key in subjects}), LookupAttempt.attempted_at > since
        )
        with session_scope(self.settings) as session:
            rows = session.execute(query).all()
        return [sum(1 for k, at in rows if k == key and at > now - limit.window) for limit, key in subjects]

    def blocked(self, subjects: Sequence[Subject]) -> Optional[Limit]:
        """The first limit already reached, or None."""
        for (limit, _), count in zip(subjects, self.counts(subjects), strict=False):
            if count >= limit.limit:
                return limit
        return None

    def begin(self, subjects: Sequence[Subject]) -> Optional[Attempt]:
        """Write the attempt for every subject, then count: None (and nothing kept) if any limit is
        exceeded, counting attempts in flight; else the pending attempt, to ``succeeded`` or keep."""
        now = self._clock()
        with session_scope(self.settings) as session:
            # Attempts older than every window no longer matter to anyone: keep the table small.
            oldest = now - max(self.conversation.window, self.application.window, self.client.window)
            session.execute(delete(LookupAttempt).where(LookupAttempt.attempted_at <= oldest))
            rows = [LookupAttempt(key_hmac=key, attempted_at=now) for _, key in subjects]
            session.add_all(rows)
            session.flush()
            ids = tuple(row.id for row in rows)
        counts = self.counts(subjects)
        if any(count > limit.limit for (limit, _), count in zip(subjects, counts, strict=False)):
            self.succeeded(Attempt(ids, 0))  # refused: not an attempt after all
            return None
        return Attempt(ids, min(limit.limit - count for (limit, _), count in zip(subjects, counts, strict=False)))

    def succeeded(self, attempt: Attempt) -> None:
        """Take the attempt back: it was no failure."""
        with session_scope(self.settings) as session:
            session.execute(delete(LookupAttempt).where(LookupAttempt.id.in_(attempt.ids)))

    def alert_if_reached(self, subjects: Sequence[Subject], application_no: Optional[str]) -> None:
        """A WARNING when this failure made a number (or a client) reach its limit."""
        for (limit, key), count in zip(subjects, self.counts(subjects), strict=False):
            if limit.scope == CONVERSATION.scope or count != limit.limit:
                continue
            minutes = int(limit.window.total_seconds() // 60)
            if limit.scope == APPLICATION.scope and application_no:
                # "告警" is what the operators' log alerting matches on; never the number itself.
                tag = number_tag(self.settings.hmac_secret, application_no)
                logger.warning(GUESSING_NUMBER, tag, minutes, count)
            elif limit.scope == CLIENT.scope:
                logger.warning(GUESSING_CLIENT, key[:12], minutes, count)

    # ── one conversation (form opening, tests) ──────────────────────────────────────────────
    def failures(self, conversation_id: str) -> int:
        """Failed lookups of this conversation within the window."""
        return self.counts(self.subjects(conversation_id))[0]

    def is_locked(self, conversation_id: str, client: Optional[str] = None) -> bool:
        """True when this conversation (or its client) may not look anything up for now."""
        return self.blocked(self.subjects(conversation_id, client=client)) is not None

    def attempts_left(self, conversation_id: str) -> int:
        return max(self.limit - self.failures(conversation_id), 0)

    def record_failure(self, conversation_id: str) -> int:
        """Count one failed lookup of this conversation; return its failures now within the window."""
        with session_scope(self.settings) as session:
            session.add(LookupAttempt(key_hmac=self.subjects(conversation_id)[0][1], attempted_at=self._clock()))
        return self.failures(conversation_id)
