"""make migrate / make migrate-scaled: bring the project's databases to the newest schema (migrations/).

- ``python -m deploy.migrate``: the status and console databases at STATUS_DB_URL and CONSOLE_DB_URL
  (the embedded SQLite files when unset; ``make run`` also does this by itself on first use).
- ``python -m deploy.migrate --pg-url URL [--db-prefix P]``: those of ``make run-scaled`` on that
  PostgreSQL server (``P_status``, ``P_console``), each database created first if missing.
- ``--check``: change nothing; exit 1 if a database is not at the newest revision.

The scaled profile's processes never migrate (DB_MIGRATIONS=explicit): this is the step that does,
before a start (``make migrate-scaled``) or, in Kubernetes, as the Job deploy/helm/job-migrate.yaml
before each install or upgrade. Safe to run twice, or from two places at once.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Dict, Iterable, Optional, Sequence

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

from deploy.config import DEFAULT_DB_PREFIX, database_name
from migrations import stores
from platform_core import schema

# The stores a deployment migrates here. The WeChat channel's file (wechat_seen) belongs to one Rasa
# process of the embedded profile, which migrates it when it opens it; the scaled profile keeps those
# keys in Redis.
SERVED = ("status", "console")


def scaled_urls(pg_url: str, prefix: str = DEFAULT_DB_PREFIX) -> Dict[str, str]:
    """Each store's database of ``make run-scaled`` on ``pg_url``'s server."""
    server = make_url(pg_url)
    urls = {store: server.set(database=database_name(prefix, store)) for store in SERVED}
    return {store: url.render_as_string(hide_password=False) for store, url in urls.items()}


def create_databases(pg_url: str, names: Iterable[str]) -> None:
    """``CREATE DATABASE`` each of ``names`` that the server does not have yet."""
    admin = create_engine(
        pg_url,
        future=True,
        isolation_level="AUTOCOMMIT",
        hide_parameters=True,
        poolclass=NullPool,
        connect_args={"connect_timeout": 5},
    )
    try:
        with admin.connect() as conn:
            existing = set(conn.execute(text("SELECT datname FROM pg_database")).scalars())
            quote = conn.dialect.identifier_preparer.quote
            for name in names:
                if name not in existing:
                    # An identifier cannot be a bound parameter; deploy.config.database_name checked it.
                    conn.execute(text(f"CREATE DATABASE {quote(name)}"))
    finally:
        admin.dispose()


def migrate_scaled(pg_url: str, prefix: str = DEFAULT_DB_PREFIX) -> int:
    """``make migrate-scaled``: create the status and console databases if missing, then upgrade them."""
    urls = scaled_urls(pg_url, prefix)
    create_databases(pg_url, [make_url(url).database for url in urls.values()])
    return migrate(urls)


def migrate(urls: Dict[str, str], check_only: bool = False) -> int:
    """Upgrade (or check) each store at its URL, one line each; 0 when all are at the newest revision."""
    behind = 0
    for store, url in urls.items():
        where = make_url(url).render_as_string(hide_password=True)
        path = schema.sqlite_file(url)
        if path is not None and not check_only:
            path.parent.mkdir(parents=True, exist_ok=True)  # make migrate on a fresh clone: no var/ yet
        engine = create_engine(url, future=True, hide_parameters=True, poolclass=NullPool)
        try:
            if check_only:
                print(f"{store}（{where}）：{schema.check(engine, store)}，已是最新")
            else:
                before, after = schema.upgrade(engine, store)
                done = "已是最新" if before == after else f"{before or '空库'} → {after}"
                print(f"{store}（{where}）：{done}")
        except schema.SchemaNotCurrent as error:
            print(f"{store}（{where}）：{error}", file=sys.stderr)
            behind += 1
        finally:
            engine.dispose()
    return 1 if behind else 0


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pg-url", help="the scaled profile's PostgreSQL server (make run-scaled's PG_URL)")
    parser.add_argument(
        "--db-prefix",
        default=os.environ.get("SCALED_DB_PREFIX", DEFAULT_DB_PREFIX),
        help="with --pg-url: databases <prefix>_status and <prefix>_console",
    )
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if any database is behind")
    args = parser.parse_args(argv)
    try:
        if args.pg_url and not args.check:
            return migrate_scaled(args.pg_url, args.db_prefix)
        if args.pg_url:
            return migrate(scaled_urls(args.pg_url, args.db_prefix), check_only=True)
        return migrate({store: stores.default_url(store) for store in SERVED}, check_only=args.check)
    except (SQLAlchemyError, OSError, ValueError) as error:
        print(f"数据库迁移失败：{str(error).strip().splitlines()[0]}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
