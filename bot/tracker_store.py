"""Rasa's SQL tracker store, named in the endpoints files (``type: bot.tracker_store.EventsTrackerStore``)
the way bot/lock_store.py is: Rasa 3.6 loads a tracker store class from a module path
(rasa/core/tracker_store.py:1556, ``_load_from_module_name_in_endpoint_config``), so these changes
need no patch of Rasa. Same table, same rows, same settings as ``type: SQL``.

- Saving a turn writes its new events in one INSERT statement instead of one ORM object each
  (``save``; SQLAlchemy's unit of work was a large share of the Rasa process's CPU under load).
- Reading a conversation selects only the events' JSON, with Rasa's own query (same filter, same
  order), without an ORM object per row (``_retrieve``; building those objects was most of a read).
- The engine gets ``hide_parameters`` always: the events' JSON (what residents typed) is a bound
  parameter, and a failed INSERT would otherwise quote it in the 告警 line and every traceback.
- A server database (PostgreSQL) gets ``pool_pre_ping``: Rasa's engine keeps pooled connections
  that die when the database restarts or the network drops, and without the ping the first message
  on each instance after the outage would fail too.
- An SQLite file (the embedded default) gets a connection pool and the write-ahead log. SQLAlchemy
  1.4 opens a new SQLite connection for every Rasa session (NullPool), 2–3 a message, each
  re-reading the schema; and SQLite's default rollback journal syncs the disk several times a
  commit. With a pool and WAL (``synchronous`` stays FULL, so a committed message survives a power
  cut) a commit syncs the disk once instead of several times.

Rasa's ``SQLTrackerStore.__init__`` builds its engine with the module function
``create_engine_kwargs`` (rasa/core/tracker_store.py:1083), connects and creates the table; this
class then replaces that engine with one built with :func:`engine_kwargs` on the same URL.
"""

from __future__ import annotations

import json
from typing import Any, Dict, Optional

import sqlalchemy as sa
from rasa.core import tracker_store as rasa_tracker_store
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY
from sqlalchemy.engine import make_url
from sqlalchemy.orm import sessionmaker
from sqlalchemy.pool import QueuePool

# What the endpoints files name (bot/endpoints.yml, deploy/endpoints.scaled.yml).
TYPE = "bot.tracker_store.EventsTrackerStore"


def _is_sqlite_file(url: Any) -> bool:
    if url is None:
        return False
    url = make_url(url)
    return url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:")


def engine_kwargs(url: Any) -> dict:
    """Rasa's engine options for the SQL tracker store, plus ``hide_parameters``, a ping on checkout
    for server databases and a pool of connections (usable from any thread, as SQLAlchemy 2 does)
    for an SQLite file."""
    kwargs = {**rasa_tracker_store.create_engine_kwargs(url), "hide_parameters": True}
    if make_url(url).get_backend_name() != "sqlite":
        return {**kwargs, "pool_pre_ping": True}
    if _is_sqlite_file(url):
        return {**kwargs, "poolclass": QueuePool, "connect_args": {"check_same_thread": False}}
    return kwargs


def use_write_ahead_log(engine: Any) -> None:
    """Switch an SQLite file to WAL; the mode is stored in the file, so every later connection has it."""
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA journal_mode=WAL")


class EventsTrackerStore(SQLTrackerStore):
    """``SQLTrackerStore`` with one INSERT a turn, JSON-only reads and the engine options above."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        rasas, url = self.engine, self.engine.url
        options = {key: value for key, value in engine_kwargs(url).items() if key != "hide_parameters"}
        # spelled out, as at every create_engine of the repository (tests/test_log_privacy.py checks)
        self.engine = sa.create_engine(url, hide_parameters=True, **options)
        self.sessionmaker = sessionmaker(bind=self.engine)
        rasas.dispose()
        if _is_sqlite_file(url):
            use_write_ahead_log(self.engine)

    async def save(self, tracker: DialogueStateTracker) -> None:
        """``SQLTrackerStore.save`` with the same rows (columns, JSON, order) in a single INSERT."""
        await self.stream_events(tracker)
        with self.session_scope() as session:
            rows = [
                _event_row(tracker.sender_id, event.type_name, event.as_dict())
                for event in self._additional_events(session, tracker)
            ]
            if rows:
                session.execute(self.SQLEvent.__table__.insert(), rows)
            session.commit()

    async def _retrieve(self, sender_id: str, fetch_events_from_all_sessions: bool) -> Optional[DialogueStateTracker]:
        """``SQLTrackerStore._retrieve`` (under retrieve and retrieve_full_tracker) with Rasa's own
        query reduced to the ``data`` column, so rows come back as plain tuples, not ORM objects."""
        with self.session_scope() as session:
            query = self._event_query(session, sender_id, fetch_events_from_all_sessions=fetch_events_from_all_sessions)
            events = [json.loads(data) for (data,) in query.with_entities(self.SQLEvent.data).all()]
        if self.domain and events:
            return DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)
        return None


def _event_row(sender_id: str, type_name: str, data: Dict[str, Any]) -> Dict[str, Any]:
    return {
        "sender_id": sender_id,
        "type_name": type_name,
        "timestamp": data.get("timestamp"),
        "intent_name": data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
        "action_name": data.get("name"),
        "data": json.dumps(data),
    }
