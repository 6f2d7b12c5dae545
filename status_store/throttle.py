"""Limit failed lookups per conversation, across restarts.

Six characters of an ID tail are only about a million guesses; without a limit, one conversation
could walk through them. Failures are stored in the database (so restarting the action server
does not reset them) under an HMAC of the conversation id, so the table says nothing about who
was chatting. A successful lookup does not clear the count: otherwise someone holding one valid
pair could reset the counter between guesses at another.
"""

from __future__ import annotations

import datetime as dt
from typing import Callable, Optional

from sqlalchemy import delete, func, select

from status_store.db import session_scope
from status_store.models import LookupAttempt
from status_store.privacy import conversation_hmac
from status_store.settings import Settings, get_settings

MAX_FAILURES = 5
WINDOW = dt.timedelta(hours=1)
Clock = Callable[[], dt.datetime]


def utcnow() -> dt.datetime:
    """Naive UTC now, the form stored in ``attempted_at``."""
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


class LookupThrottle:
    """After ``limit`` failed lookups within ``window``, a conversation is refused until they age out."""

    def __init__(
        self,
        settings: Optional[Settings] = None,
        *,
        limit: int = MAX_FAILURES,
        window: dt.timedelta = WINDOW,
        clock: Clock = utcnow,
    ):
        # Settings are resolved on first use, so an action module may build a throttle at import.
        self._settings = settings
        self.limit = limit
        self.window = window
        self._clock = clock

    @property
    def settings(self) -> Settings:
        return self._settings or get_settings()

    def failures(self, conversation_id: str) -> int:
        """Failed lookups of this conversation within the window."""
        key = conversation_hmac(self.settings.hmac_secret, conversation_id)
        since = self._clock() - self.window
        query = select(func.count(LookupAttempt.id)).where(
            LookupAttempt.conversation_hmac == key, LookupAttempt.attempted_at > since
        )
        with session_scope(self.settings) as session:
            return session.scalar(query) or 0

    def is_locked(self, conversation_id: str) -> bool:
        """True when this conversation may not look anything up for now."""
        return self.failures(conversation_id) >= self.limit

    def attempts_left(self, conversation_id: str) -> int:
        return max(self.limit - self.failures(conversation_id), 0)

    def record_failure(self, conversation_id: str) -> int:
        """Count one failed lookup; return the failures now within the window."""
        now = self._clock()
        key = conversation_hmac(self.settings.hmac_secret, conversation_id)
        with session_scope(self.settings) as session:
            # Attempts older than the window no longer matter to anyone: keep the table small.
            session.execute(delete(LookupAttempt).where(LookupAttempt.attempted_at <= now - self.window))
            session.add(LookupAttempt(conversation_hmac=key, attempted_at=now))
        return self.failures(conversation_id)
