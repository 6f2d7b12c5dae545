"""How the running code meets a database (platform_core.schema): the embedded profile upgrades on first
use, several processes at once; the scaled profile's processes only check and refuse a database
that is behind; databases that ``create_all`` made before migrations are adopted with their rows.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import subprocess
import sys

import pytest
from sqlalchemy import create_engine, inspect
from sqlalchemy.pool import NullPool

from bot.channels.wechat_seen import SqliteSeen
from console import audit
from console.faq_store import Base as FaqBase
from console.store import Base as ConsoleBase
from deploy import migrate
from migrations import stores
from platform_core import schema
from platform_core.db import dispose_engines, get_engine
from platform_core.settings import SettingsError, migrations_mode, startup_problems
from service_desk import handoffs
from service_desk.store import Base as DeskBase
from tests.conftest import REPO

NOW = dt.datetime(2026, 12, 1, 9, 30)

HANDOFF = dict(conversation_id="c1", channel="rest", reason="requested", status="waiting", created_at=NOW)
AUDIT = dict(at=NOW, username="admin.wang", action="login", target="", detail="")


def revision(url: str, store: str):
    engine = create_engine(url, future=True, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            return schema.current(connection, store)
    finally:
        engine.dispose()


def tables(url: str):
    engine = create_engine(url, future=True, poolclass=NullPool)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_first_use_builds_an_empty_database(sqlite_databases):
    url = sqlite_databases.new("console")
    get_engine(url, "console")
    assert revision(url, "console") == schema.head("console")
    assert {"handoffs", "staff_users", "faq_change_sets", "alembic_version_console"} <= tables(url)


def test_two_stores_share_one_database_without_mixing(databases):
    url = databases.new("shared")
    get_engine(url, "status")
    get_engine(url, "console")
    assert (revision(url, "status"), revision(url, "console")) == (schema.head("status"), schema.head("console"))
    assert {"alembic_version_status", "alembic_version_console", "status_applications", "handoffs"} <= tables(url)


def test_processes_starting_together_migrate_once(databases):
    url = databases.new("console")
    code = (
        "import sys; from platform_core.db import get_engine; from service_desk import handoffs; "
        "get_engine(sys.argv[1], 'console'); print(len(handoffs.queue()))"
    )
    env = {"CONSOLE_DB_URL": url, "PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"}
    started = [
        subprocess.Popen([sys.executable, "-c", code, url], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for _ in range(4)
    ]
    results = [process.communicate(timeout=120) for process in started]
    assert [process.returncode for process in started] == [0] * 4, [err.decode()[-800:] for _, err in results]
    assert revision(url, "console") == schema.head("console")


def test_the_scaled_profile_never_migrates_and_refuses_a_database_behind(databases, monkeypatch):
    url = databases.new("console")
    monkeypatch.setenv("DB_MIGRATIONS", "explicit")
    monkeypatch.setenv("CONSOLE_DB_URL", url)
    with pytest.raises(schema.SchemaNotCurrent, match="make migrate-scaled"):
        handoffs.queue()
    assert not tables(url) - {"alembic_version_console"} and revision(url, "console") is None
    assert migrate.migrate({"console": url}) == 0  # the explicit step (make migrate-scaled)
    assert handoffs.queue() == []


def test_db_migrations_accepts_auto_or_explicit_only():
    assert migrations_mode({}) == "auto" and migrations_mode({"DB_MIGRATIONS": " Explicit "}) == "explicit"
    with pytest.raises(SettingsError):
        migrations_mode({"DB_MIGRATIONS": "yes"})
    assert any("DB_MIGRATIONS" in problem for problem in startup_problems({"DB_MIGRATIONS": "yes"}))


def test_a_console_database_create_all_made_before_migrations_is_adopted_with_its_rows(databases, monkeypatch):
    """What main had just before migrations: every table made by create_all, no version recorded."""
    url = databases.new("console")
    engine = create_engine(url, future=True, poolclass=NullPool)
    with engine.begin() as conn:
        for metadata in (DeskBase.metadata, ConsoleBase.metadata, FaqBase.metadata):
            metadata.create_all(conn)
        conn.execute(DeskBase.metadata.tables["handoffs"].insert(), [HANDOFF])
        conn.execute(ConsoleBase.metadata.tables["audit_log"].insert(), [AUDIT])
    engine.dispose()
    monkeypatch.setenv("CONSOLE_DB_URL", url)
    assert [item.conversation_id for item in handoffs.queue()] == ["c1"]  # first use: adopted, upgraded
    assert [entry.action for entry in audit.recent()] == ["login"]
    assert revision(url, "console") == schema.head("console")


def test_a_database_with_only_the_service_desks_tables_gets_the_rest(databases, monkeypatch):
    """After 38d9d67 and before migrations, the action server alone made only the desk's two tables."""
    url = databases.new("console")
    engine = create_engine(url, future=True, poolclass=NullPool)
    with engine.begin() as conn:
        DeskBase.metadata.create_all(conn)
        conn.execute(DeskBase.metadata.tables["handoffs"].insert(), [HANDOFF])
    engine.dispose()
    monkeypatch.setenv("CONSOLE_DB_URL", url)
    assert [item.conversation_id for item in handoffs.queue()] == ["c1"]
    audit.record("admin.wang", "login")  # a table that was missing
    assert {name for metadata in stores.metadata("console") for name in metadata.tables} <= tables(url)


def test_the_wechat_file_from_before_migrations_keeps_what_it_saw(tmp_path):
    path = tmp_path / "wechat_seen.db"
    seen = SqliteSeen(path)
    assert asyncio.run(seen.first_use("timestamp-nonce", 300)) is True
    # As the channel left it before migrations: its own CREATE TABLE, no version table.
    engine = create_engine(f"sqlite:///{path}", future=True, poolclass=NullPool)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE alembic_version_wechat_seen")
    engine.dispose()
    again = SqliteSeen(path)
    assert asyncio.run(again.first_use("timestamp-nonce", 300)) is False  # still a replay
    assert revision(f"sqlite:///{path}", "wechat_seen") == schema.head("wechat_seen")
    dispose_engines()


def test_make_migrate_upgrades_the_configured_databases_and_check_says_so(sqlite_databases, monkeypatch, capsys):
    urls = {"STATUS_DB_URL": sqlite_databases.new("status"), "CONSOLE_DB_URL": sqlite_databases.new("var/console")}
    for name, url in urls.items():
        monkeypatch.setenv(name, url)
    assert migrate.main(["--check"]) == 1
    assert "请先运行数据库迁移" in capsys.readouterr().err
    assert migrate.main([]) == 0
    out = capsys.readouterr().out
    assert f"status（{urls['STATUS_DB_URL']}）：空库 → {schema.head('status')}" in out
    assert f"console（{urls['CONSOLE_DB_URL']}）：空库 → {schema.head('console')}" in out
    assert migrate.main([]) == 0 and migrate.main(["--check"]) == 0
    assert capsys.readouterr().out.count("已是最新") == 4
