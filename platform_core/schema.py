"""The project's databases kept at their newest schema by Alembic (the revisions are in migrations/).

Each database holds one or more *stores*, each a line of revisions with a version table of its
own, so two stores can share one server database (or one in-memory SQLite in a test) unmixed:

- ``status`` (STATUS_DB_URL): applications, their history and the lookup attempts;
- ``console`` (CONSOLE_DB_URL): staff accounts, sessions, sign-in failures, the audit log and the
  answers library's change sets (console/), the handoff queue and residents' signals (service_desk/);
- ``wechat_seen`` (var/wechat_seen.db): what one Rasa process's WeChat channel has seen.

Rasa's tracker store tables are Rasa's own and not here. The engine module (platform_core.db) calls
:func:`prepare` when it first connects to a database: with ``DB_MIGRATIONS=auto`` (embedded, the
default) that upgrades the store, one process at a time; with ``explicit`` (the scaled profile,
Helm) it only checks, so no serving process ever creates or alters a table: ``make migrate-scaled``
or the migration Job does (deploy/migrate.py).
"""

from __future__ import annotations

import fcntl
import logging
import zlib
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Iterator, Optional, Tuple, Union

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import func, select
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import SQLAlchemyError

from platform_core.paths import MIGRATIONS
from platform_core.settings import EXPLICIT, get_settings

logger = logging.getLogger(__name__)

STORES = ("status", "console", "wechat_seen")


class SchemaNotCurrent(SQLAlchemyError):
    """The database is not at the newest revision and this process may not migrate it.

    A database error like any other to the code that meets it (a status lookup then answers
    politely, as when the database is down); the message tells the operator what to run.
    """


def version_table(store: str) -> str:
    return f"alembic_version_{store}"


def alembic_config(store: str, connection: Optional[Connection] = None) -> Config:
    """Alembic's configuration for ``store``; with ``connection``, migrations/env.py runs on it."""
    if store not in STORES:
        raise ValueError(f"unknown store {store!r}; one of {STORES}")
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("version_locations", str(MIGRATIONS / store))
    config.attributes.update(store=store, connection=connection)
    return config


@lru_cache(maxsize=None)
def head(store: str) -> str:
    """The newest revision of ``store`` (read from migrations/ once per process)."""
    return ScriptDirectory.from_config(alembic_config(store)).get_current_head()


def current(connection: Connection, store: str) -> Optional[str]:
    """The revision ``store`` is at in this database; None before its first migration."""
    context = MigrationContext.configure(connection, opts={"version_table": version_table(store)})
    return context.get_current_revision()


def prepare(engine: Engine, store: str) -> None:
    """On first connecting: upgrade ``store`` (DB_MIGRATIONS=auto) or check it is at head (explicit)."""
    if get_settings().migrations == EXPLICIT:
        check(engine, store)
    else:
        upgrade(engine, store)


def upgrade(engine: Engine, store: str) -> Tuple[Optional[str], str]:
    """Bring ``store`` to its newest revision; (revision before, revision after).

    Several processes may start at once on one database: the first upgrades while the others
    wait, then find it done. Tables that ``create_all`` made before there were migrations are
    kept as they are (the first revisions create a table only where it is missing).
    """
    if _at_head(engine, store):
        return head(store), head(store)
    with _one_at_a_time(engine, store) as connection:
        before = current(connection, store)
        if before != head(store):
            command.upgrade(alembic_config(store, connection), "head")
            logger.info("数据库迁移：%s %s → %s", store, before or "（空）", head(store))
    return before, head(store)


def check(engine: Engine, store: str) -> str:
    """``store``'s revision, or :class:`SchemaNotCurrent` when it is not the newest."""
    with engine.connect() as connection:
        found = current(connection, store)
    if found != head(store):
        raise SchemaNotCurrent(
            f"数据库（{store}）的结构版本是 {found or '空'}，代码需要 {head(store)}："
            "请先运行数据库迁移（make migrate-scaled，或部署的迁移任务 python -m deploy.migrate）"
        )
    return found


def sqlite_file(url: Union[str, URL]) -> Optional[Path]:
    """The file a SQLite URL names; None for an in-memory database or another back end."""
    parsed = make_url(url)
    database = parsed.database
    if parsed.get_backend_name() != "sqlite" or not database or database == ":memory:":
        return None
    return None if database.startswith("file:") else Path(database)


def _at_head(engine: Engine, store: str) -> bool:
    with engine.connect() as connection:
        return current(connection, store) == head(store)


@contextmanager
def _one_at_a_time(engine: Engine, store: str) -> Iterator[Connection]:
    """A connection in a transaction that no other process migrating ``store`` here shares."""
    backend, path = engine.url.get_backend_name(), sqlite_file(engine.url)
    if path is not None:
        # A lock file beside the database, never the database file itself: closing another
        # descriptor of that file would drop SQLite's own locks on it.
        with open(f"{path}.migrate-lock", "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            with engine.begin() as connection:
                yield connection
        return
    with engine.begin() as connection:
        if backend == "postgresql":
            # Held until this transaction ends; PostgreSQL's DDL is transactional, so a failed
            # migration leaves nothing half done.
            key = zlib.crc32(f"shaoguan-hukou migrations {store}".encode())
            connection.execute(select(func.pg_advisory_xact_lock(key)))
        yield connection
