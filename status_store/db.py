"""Engines and sessions, created on first use and never at import time.

The action server imports this package long before it looks anything up, and a test or a
``make`` target may point ``STATUS_DB_URL`` somewhere else first; so the engine is built lazily,
once per URL, and every caller gets a fresh session that is closed when its block ends.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Dict, Iterator, Optional, Tuple

from sqlalchemy import MetaData, create_engine
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session
from sqlalchemy.pool import QueuePool

from status_store.models import Base
from status_store.settings import Settings, get_settings

# Seconds. A lookup runs while a resident waits: an unreachable database must fail fast.
CONNECT_TIMEOUT = 5

_engines: Dict[Tuple[str, int], Engine] = {}
_lock = threading.Lock()


def get_engine(url: str, metadata: MetaData = Base.metadata) -> Engine:
    """The engine for ``url`` with ``metadata``'s tables (created on first call; cached afterwards).

    The staff console keeps its own tables (console/store.py) and uses this too, so both stores
    connect, time out and reconnect the same way.
    """
    key = (url, id(metadata))
    with _lock:
        engine = _engines.get(key)
        if engine is None:
            engine = _create(url, metadata)
            _engines[key] = engine
        return engine


def _create(url: str, metadata: MetaData) -> Engine:
    parsed = make_url(url)
    options: Dict[str, Any] = {"pool_pre_ping": True}
    connect_args: Dict[str, Any] = {}
    if parsed.get_backend_name() == "sqlite":
        _make_sqlite_folder(parsed.database)
        connect_args["timeout"] = CONNECT_TIMEOUT
        if _is_file(parsed.database):
            # SQLAlchemy 1.4 opens a new SQLite connection for every session (NullPool); a status
            # lookup takes 3-5 sessions, and connecting was most of the action server's time for it.
            # A local file does not drop connections as a server does, so no ping; lookups run in
            # worker threads, hence check_same_thread off (the pool lends a connection to one at a time).
            options = {"poolclass": QueuePool}
            connect_args["check_same_thread"] = False
    elif parsed.get_backend_name() == "postgresql" and "connect_timeout" not in parsed.query:
        connect_args["connect_timeout"] = CONNECT_TIMEOUT
    # hide_parameters: a database error's message then never quotes a bound value (an application
    # number, a name) into the log that records the error.
    engine = create_engine(url, future=True, hide_parameters=True, connect_args=connect_args, **options)
    metadata.create_all(engine)
    return engine


def _is_file(database: Optional[str]) -> bool:
    return bool(database) and database != ":memory:" and not database.startswith("file:")


def _make_sqlite_folder(database: Optional[str]) -> None:
    if _is_file(database):
        Path(database).parent.mkdir(parents=True, exist_ok=True)


@contextmanager
def session_scope(settings: Optional[Settings] = None) -> Iterator[Session]:
    """A session for one unit of work: committed if the block succeeds, rolled back otherwise."""
    engine = get_engine((settings or get_settings()).db_url)
    with Session(engine, future=True, expire_on_commit=False) as session:
        with session.begin():
            yield session


def dispose_engines() -> None:
    """Close every cached engine (tests, and a clean shutdown)."""
    with _lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()
