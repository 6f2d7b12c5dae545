"""Rasa's RedisLockStore, safe to share between several Rasa instances.

Rasa serialises the messages of one conversation with a ticket lock kept in the lock store. Rasa
3.6's ``RedisLockStore`` changes that lock by reading it, editing it in Python and writing it back
(GET, then SET). Two instances that take a ticket for the same conversation at the same moment
both read the same lock, both append ticket N, and the later write wins: both believe they hold
ticket N and handle their messages at the same time, and the tracker gets interleaved or lost
events. The same gap lets ``cleanup`` delete a lock another instance has just queued on, whose
message then fails with ``LockError``. RasaHQ/rasa#11256 fixed this only in a separate
"concurrent" lock store for Rasa Pro; Rasa Open Source 3.6 has none.

Here every read-modify-write of a lock runs as one Redis transaction (WATCH, MULTI, EXEC) that is
retried when another instance changed the lock in between, so tickets are unique and queued
tickets are never dropped. Keys, format and waiting behaviour are Rasa's own: instances running
this class and instances running ``type: redis`` read the same locks (though only this class is
safe against the race). Use it in endpoints.yml as
``lock_store: {type: bot.lock_store.AtomicRedisLockStore, url: ..., port: ..., db: ...}``.
"""

from __future__ import annotations

import json
import logging
from typing import Any, Callable, Optional, Text, Tuple, TypeVar

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

logger = logging.getLogger(__name__)

T = TypeVar("T")
# What a change returns: the lock to store (None deletes the key) and a value for the caller.
Change = Callable[[Optional[TicketLock]], Tuple[Optional[TicketLock], T]]


class AtomicRedisLockStore(RedisLockStore):
    """A ``RedisLockStore`` whose ticket operations are atomic across processes."""

    def __init__(self, endpoint_config: Optional[EndpointConfig] = None, **kwargs: Any) -> None:
        # Rasa builds a lock store named by module path with ``cls(endpoint_config=...)``; the
        # endpoint's ``url`` is the Redis host, as for ``type: redis``.
        if endpoint_config is not None:
            kwargs = {**endpoint_config.kwargs, **kwargs}
            kwargs.setdefault("host", endpoint_config.url or "localhost")
        super().__init__(**kwargs)

    def _change(self, conversation_id: Text, change: Change) -> T:
        key = self.key_prefix + conversation_id

        def transaction(pipe: Any) -> T:
            raw = pipe.get(key)  # WATCHed: a concurrent write makes EXEC fail and this run again
            lock = TicketLock.from_dict(json.loads(raw)) if raw else None
            new_lock, value = change(lock)
            pipe.multi()
            if new_lock is None:
                pipe.delete(key)
            else:
                pipe.set(key, new_lock.dumps())
            return value

        return self.red.transaction(transaction, key, value_from_callable=True)

    def issue_ticket(self, conversation_id: Text, lock_lifetime: float = LOCK_LIFETIME) -> int:
        """Append a ticket to the conversation's lock (created if missing); its number."""

        def issue(lock: Optional[TicketLock]) -> Tuple[TicketLock, int]:
            lock = lock or TicketLock(conversation_id)
            return lock, lock.issue_ticket(lock_lifetime)

        try:
            return self._change(conversation_id, issue)
        except Exception as error:  # same contract as Rasa's: any failure is a LockError
            raise LockError(f"Error while acquiring lock. Error:\n{error}") from error

    def update_lock(self, conversation_id: Text) -> None:
        """Drop expired tickets (never creates a lock that is gone)."""

        def prune(lock: Optional[TicketLock]) -> Tuple[Optional[TicketLock], None]:
            if lock is not None:
                lock.remove_expired_tickets()
            return lock, None

        self._change(conversation_id, prune)

    def finish_serving(self, conversation_id: Text, ticket_number: int) -> None:
        """Remove ``ticket_number`` from the lock."""
        self._change(conversation_id, _without(ticket_number, delete_when_empty=False))

    def cleanup(self, conversation_id: Text, ticket_number: int) -> None:
        """Remove ``ticket_number``, and the lock itself if nobody else is queued on it.

        Rasa does these as three separate steps; done at once, a ticket another instance issues
        meanwhile can no longer be deleted with the lock.
        """
        deleted = self._change(conversation_id, _without(ticket_number, delete_when_empty=True))
        self._log_deletion(conversation_id, deletion_successful=deleted)


def _without(ticket_number: int, delete_when_empty: bool) -> Change:
    def remove(lock: Optional[TicketLock]) -> Tuple[Optional[TicketLock], bool]:
        if lock is None:
            return None, False
        lock.remove_ticket_for(ticket_number)
        if delete_when_empty and not lock.is_someone_waiting():
            return None, True
        return lock, False

    return remove
