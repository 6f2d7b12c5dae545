"""make purge: delete conversations and residents' signals older than the retention period.

A conversation goes when its *latest* event is older than ``RETENTION_DAYS`` (default 180; read
with the other settings, platform_core.settings): all of its events, across sessions, are deleted
from Rasa's SQL tracker store (the ``events`` table, SQLite or PostgreSQL). A conversation with
anything newer is kept whole. Residents' signals (unanswered questions and 有用/没用 ratings,
console/store.py) older than the same period go too; staff accounts, the handoff queue and the
audit log are not touched (they have owners of their own).

The tracker database is the one in the endpoints file (``--endpoints``, default bot/endpoints.yml,
its ``${TRACKER_DB_*}`` placeholders filled from the settings as Rasa fills them) unless
``--tracker-url`` names it; the console database is ``CONSOLE_DB_URL``. Safe to run while the
assistant runs, and to run again.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import sys
import time
from dataclasses import dataclass
from typing import List, Mapping, Optional, Sequence

import sqlalchemy as sa
import yaml
from sqlalchemy.engine import URL, Connection, Engine

from platform_core.settings import DEFAULT_RETENTION_DAYS as DEFAULT_DAYS
from platform_core.settings import Settings, SettingsError, get_settings

BATCH = 500  # conversations per DELETE: keeps each transaction (and its locks) short

EVENTS = sa.table("events", sa.column("sender_id"), sa.column("timestamp"))


@dataclass
class PurgeReport:
    cutoff: dt.datetime
    conversations: int = 0
    events: int = 0
    signals: int = 0
    dry_run: bool = False

    def lines(self) -> List[str]:
        verb = "将删除" if self.dry_run else "已删除"
        day = self.cutoff.strftime("%Y-%m-%d %H:%M")
        return [
            f"{verb} {self.conversations} 个对话（共 {self.events} 条事件）：最近一次活动早于 {day}（UTC）",
            f"{verb} {self.signals} 条居民反馈记录（未答好的问题、有用/没用评价）：记录时间早于 {day}（UTC）",
        ]


def retention_days(settings: Optional[Settings] = None) -> int:
    """RETENTION_DAYS (checked in platform_core.settings: a positive number of days, 180 unset)."""
    return (settings or get_settings()).retention_days


def purge_conversations(engine: Engine, cutoff: dt.datetime, dry_run: bool = False) -> tuple:
    """Delete every conversation whose latest event is before ``cutoff``; (conversations, events)."""
    database = engine.url.database
    if engine.url.get_backend_name() == "sqlite" and database and not os.path.exists(database):
        return 0, 0  # no conversation was ever stored (and connecting would create the file)
    if not sa.inspect(engine).has_table("events"):
        return 0, 0
    stale = _stale_conversations(cutoff.timestamp())
    with engine.connect() as conn:
        found = conn.execute(sa.select(stale.c.sender_id, stale.c.events)).all()
    if dry_run:
        return len(found), sum(count for _, count in found)
    conversations = events = 0
    for start in range(0, len(found), BATCH):
        batch = [sender for sender, _ in found[start : start + BATCH]]
        with engine.begin() as conn:
            deleted = _delete_batch(conn, batch, cutoff.timestamp())
        events += deleted
        conversations += len(batch) if deleted else 0
    return conversations, events


def _stale_conversations(cutoff: float):
    return (
        sa.select(EVENTS.c.sender_id, sa.func.count().label("events"))
        .group_by(EVENTS.c.sender_id)
        .having(sa.func.max(EVENTS.c.timestamp) < cutoff)
        .subquery()
    )


def _delete_batch(conn: Connection, senders: Sequence[str], cutoff: float) -> int:
    # Checked again inside the DELETE: a resident who came back meanwhile keeps the conversation.
    still_stale = sa.select(_stale_conversations(cutoff).c.sender_id)
    statement = sa.delete(EVENTS).where(EVENTS.c.sender_id.in_(senders), EVENTS.c.sender_id.in_(still_stale))
    return conn.execute(statement).rowcount


def purge_signals(console_url: str, cutoff: dt.datetime, dry_run: bool = False) -> int:
    """Delete residents' signals recorded before ``cutoff`` (naive UTC, as stored)."""
    from service_desk.store import ResidentSignal, session_scope

    old = ResidentSignal.created_at < cutoff.replace(tzinfo=None)
    with session_scope(console_url) as session:
        if dry_run:
            return session.query(ResidentSignal).filter(old).count()
        return session.query(ResidentSignal).filter(old).delete(synchronize_session=False)


def tracker_url(endpoints: str, settings: Optional[Settings] = None) -> URL:
    """The SQL tracker store's URL from an endpoints file, its ``${TRACKER_DB_*}`` placeholders filled
    as Rasa fills them (only the tracker store's: the other endpoints need not be configured here)."""
    from rasa.core.tracker_store import SQLTrackerStore

    from bot.tracker_store import TYPE as TRACKER_STORE_TYPE

    with open(endpoints, encoding="utf-8") as handle:
        store = (yaml.safe_load(handle) or {}).get("tracker_store") or {}
    values = (settings or get_settings()).tracker_db.placeholders()
    store = {key: _expand(value, values) for key, value in store.items()}
    if str(store.get("type", "")).lower() not in ("sql", TRACKER_STORE_TYPE.lower()):
        raise ValueError(f"{endpoints} 中没有 SQL 类型的 tracker_store，请用 --tracker-url 指定对话库")
    url = SQLTrackerStore.get_db_url(
        store.get("dialect", "sqlite"),
        store.get("url"),
        store.get("port"),
        store.get("db", "rasa.db"),
        store.get("username"),
        store.get("password"),
        query=store.get("query"),
    )
    return sa.engine.make_url(url)


def _expand(value, values: Mapping[str, str]):
    if not isinstance(value, str):
        return value

    def variable(match: re.Match) -> str:
        if match.group(1) not in values:  # unset, or not one of the TRACKER_DB_* settings
            raise ValueError(f"环境变量 {match.group(1)} 未设置（对话库配置需要它）")
        return values[match.group(1)]

    return re.sub(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}", variable, value)


def purge(
    tracker: URL | str, console_url: str, days: int, dry_run: bool = False, now: Optional[dt.datetime] = None
) -> PurgeReport:
    cutoff = (now or dt.datetime.now(dt.timezone.utc)) - dt.timedelta(days=days)
    report = PurgeReport(cutoff=cutoff, dry_run=dry_run)
    engine = sa.create_engine(tracker, future=True, hide_parameters=True)  # errors never quote sender ids
    try:
        report.conversations, report.events = purge_conversations(engine, cutoff, dry_run)
    finally:
        engine.dispose()
    report.signals = purge_signals(console_url, cutoff, dry_run)
    return report


def main(argv: Optional[Sequence[str]] = None) -> int:
    from service_desk.store import db_url

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--days", type=int, default=None, help=f"retention in days (RETENTION_DAYS, {DEFAULT_DAYS})")
    parser.add_argument("--endpoints", default="bot/endpoints.yml")
    parser.add_argument("--tracker-url", default=None, help="SQLAlchemy URL of the tracker database")
    parser.add_argument("--dry-run", action="store_true", help="count only, delete nothing")
    args = parser.parse_args(argv)
    try:
        days = args.days if args.days is not None else retention_days()
        if days < 1:
            raise ValueError("保留天数必须是正整数")
        tracker = args.tracker_url or tracker_url(args.endpoints)
    except (ValueError, SettingsError) as error:
        print(f"错误：{error}", file=sys.stderr)
        return 2
    started = time.monotonic()
    report = purge(tracker, db_url(), days, args.dry_run)
    for line in report.lines():
        print(line)
    print(f"保留期 {days} 天，用时 {time.monotonic() - started:.1f} 秒。")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
