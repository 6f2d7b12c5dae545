"""Engines and sessions, created on first use and never at import time.

One engine module for every store (the status store, the console's and the service desk's tables,
the WeChat channel's seen-messages file), so each connects, times out and reconnects the same way.
The action server imports its stores long before it looks anything up, and a test or a ``make``
target may point a URL somewhere else first; so the engine is built lazily,
once per URL, and every caller gets a fresh session that is closed when its block ends. The first
time a store is used on a database, its schema is brought to the newest revision (or checked, in
the scaled profile): platform_core.schema.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from typing import Any, Dict, Iterator, Set, Tuple

from sqlalchemy import create_engine
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session
from sqlalchemy.pool import QueuePool

from platform_core import schema

# Seconds. A lookup runs while a resident waits: an unreachable database must fail fast.
CONNECT_TIMEOUT = 5

_engines: Dict[str, Engine] = {}
_prepared: Set[Tuple[str, str]] = set()
_lock = threading.Lock()


def get_engine(url: str, store: str = "status") -> Engine:
    """The engine for ``url`` (created on first call; cached afterwards), with ``store``'s tables.

    The service desk and the console keep their tables in the console store (schema.STORES). A
    store is prepared (schema.prepare) once per database; if that fails, the next call tries again.
    """
    with _lock:
        engine = _engines.get(url)
        if engine is None:
            engine = _engines[url] = _create(url)
        if (url, store) not in _prepared:
            schema.prepare(engine, store)
            _prepared.add((url, store))
        return engine


def _create(url: str) -> Engine:
    parsed = make_url(url)
    options: Dict[str, Any] = {"pool_pre_ping": True}
    connect_args: Dict[str, Any] = {}
    if parsed.get_backend_name() == "sqlite":
        connect_args["timeout"] = CONNECT_TIMEOUT
        path = schema.sqlite_file(parsed)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
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
    return create_engine(url, future=True, hide_parameters=True, connect_args=connect_args, **options)


@contextmanager
def session_scope(url: str, store: str) -> Iterator[Session]:
    """A session on ``store``'s database for one unit of work: committed if the block succeeds,
    rolled back otherwise."""
    engine = get_engine(url, store)
    with Session(engine, future=True, expire_on_commit=False) as session:
        with session.begin():
            yield session


def dispose_engines() -> None:
    """Close every cached engine (tests, and a clean shutdown)."""
    with _lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()
        _prepared.clear()
