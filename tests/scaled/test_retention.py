"""make purge (bot/retention.py) on a tracker store Rasa itself wrote, on SQLite and on PostgreSQL."""

import asyncio
import datetime as dt
import uuid

import pytest
import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot import retention
from platform_core.db import dispose_engines
from service_desk.store import FALLBACK, ResidentSignal, session_scope
from tests.scaled.services import require_postgres

# The real clock: the CLI test purges with the current time, so fixed dates would expire.
NOW = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
DAY = 86400.0


def _events(*ages_in_days):
    """A conversation whose events happened ``ages_in_days`` ago (oldest first)."""
    events = []
    for age in ages_in_days:
        at = NOW.timestamp() - age * DAY
        events += [
            SessionStarted(timestamp=at),
            ActionExecuted("action_listen", timestamp=at),
            UserUttered("租房可以落户吗", timestamp=at + 1),
            BotUttered("可以申请。", timestamp=at + 2),
        ]
    return events


CONVERSATIONS = {
    "long-gone": (400, 200),  # every event older than 180 days: deleted
    "just-over": (181,),  # deleted
    "came-back": (300, 3),  # old session, recent one: kept whole
    "just-under": (179,),  # kept
}


def _write_trackers(url):
    """Save the conversations through Rasa's own SQLTrackerStore (its schema, its serialisation)."""
    parsed = sa.engine.make_url(url)
    store = SQLTrackerStore(
        Domain.empty(),
        dialect=parsed.get_backend_name(),
        host=parsed.host,
        port=parsed.port,
        db=parsed.database,
        username=parsed.username,
        password=parsed.password,
    )
    for sender, ages in CONVERSATIONS.items():
        asyncio.run(store.save(DialogueStateTracker.from_events(sender, _events(*ages))))
    store.engine.dispose()
    return store


def _write_signals(console_url):
    with session_scope(console_url) as session:
        for age in (365, 181, 179, 1):
            session.add(
                ResidentSignal(
                    kind=FALLBACK, text=f"{age} 天前", created_at=(NOW - dt.timedelta(days=age)).replace(tzinfo=None)
                )
            )


def _remaining(url):
    engine = sa.create_engine(url, future=True)
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT sender_id, count(*) FROM events GROUP BY sender_id")).all()
    engine.dispose()
    return dict(rows)


def _check_purge(tracker_url, console_url):
    _write_trackers(tracker_url)
    _write_signals(console_url)
    before = _remaining(tracker_url)

    dry = retention.purge(tracker_url, console_url, days=180, dry_run=True, now=NOW)
    assert (dry.conversations, dry.events, dry.signals) == (2, before["long-gone"] + before["just-over"], 2)
    assert _remaining(tracker_url) == before  # a dry run deletes nothing

    report = retention.purge(tracker_url, console_url, days=180, now=NOW)
    assert (report.conversations, report.events, report.signals) == (dry.conversations, dry.events, 2)
    assert _remaining(tracker_url) == {"came-back": before["came-back"], "just-under": before["just-under"]}
    with session_scope(console_url) as session:
        assert sorted(s.text for s in session.query(ResidentSignal)) == ["1 天前", "179 天前"]
    assert "已删除 2 个对话" in report.lines()[0] and "已删除 2 条居民反馈记录" in report.lines()[1]

    again = retention.purge(tracker_url, console_url, days=180, now=NOW)
    assert (again.conversations, again.events, again.signals) == (0, 0, 0)
    dispose_engines()


def test_purge_on_sqlite(tmp_path):
    _check_purge(f"sqlite:///{tmp_path / 'tracker.db'}", f"sqlite:///{tmp_path / 'console.db'}")


@pytest.fixture
def pg_databases():
    server = require_postgres()
    names = [f"shaoguan_scaled_test_purge_{uuid.uuid4().hex[:8]}_{kind}" for kind in ("tracker", "console")]
    admin = sa.create_engine(server, future=True, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        for name in names:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    urls = [sa.engine.make_url(server).set(database=name).render_as_string(hide_password=False) for name in names]
    yield urls
    dispose_engines()
    with admin.connect() as conn:
        for name in names:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_purge_on_postgresql(pg_databases):
    _check_purge(*pg_databases)


def test_the_cli_reads_the_endpoints_file_and_retention_days(tmp_path, monkeypatch, capsys):
    tracker = tmp_path / "tracker.db"
    _write_trackers(f"sqlite:///{tracker}")
    monkeypatch.setenv("TRACKER_DB_DIALECT", "sqlite")
    monkeypatch.setenv("TRACKER_DB", str(tracker))
    monkeypatch.setenv("RETENTION_DAYS", "190")
    assert retention.tracker_url("bot/endpoints.yml").database == str(tracker)
    assert retention.main(["--endpoints", "bot/endpoints.yml"]) == 0
    out = capsys.readouterr().out
    assert "已删除 1 个对话" in out and "保留期 190 天" in out  # only long-gone (200 days) is past it
    assert set(_remaining(f"sqlite:///{tracker}")) == {"just-over", "came-back", "just-under"}


def test_a_bad_retention_period_is_refused(monkeypatch, capsys):
    monkeypatch.setenv("RETENTION_DAYS", "0")
    assert retention.main(["--tracker-url", "sqlite://"]) == 2
    assert "RETENTION_DAYS" in capsys.readouterr().err
