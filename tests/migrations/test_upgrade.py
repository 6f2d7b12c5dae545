"""A database made by commit 7018e86 (``create_all`` of its models), with rows in every table, upgraded
to the newest revision: every row is still there, unchanged, and today's code reads it.

On SQLite and on the PostgreSQL test server (tests/migrations/conftest.py).
"""

from __future__ import annotations

import datetime as dt
from typing import Dict, List

import pytest
from sqlalchemy import MetaData, create_engine, insert, select
from sqlalchemy.pool import NullPool

from console import audit, faq_store, sessions
from console.accounts import authenticate, hash_password
from console.store import LoginFailure
from platform_core import schema
from platform_core.settings import ConsoleSettings, Settings
from service_desk import handoffs
from service_desk.store import ResidentSignal
from service_desk.store import session_scope as desk_session
from status_store.db import session_scope as status_session
from status_store.lookup import lookup
from status_store.models import Application, LookupAttempt, StatusHistory
from status_store.privacy import credential_hmac
from tests.migrations import schema_7018e86

SECRET = b"migration-test-secret-not-for-production"
PASSWORD = "correct-horse-battery"
TOKEN = "a-staff-browser-cookie-token"
NOW = dt.datetime.utcnow().replace(microsecond=0)
DAY = dt.timedelta(days=1)


def status_rows() -> Dict[str, List[dict]]:
    hmac = credential_hmac(SECRET, "SG2026110001", "121017")
    return {
        "status_applications": [
            dict(
                id=1,
                application_no="SG2026110001",
                id_hmac=hmac,
                masked_name="张*",
                category="租房落户",
                status="需补充材料",
                office="浈江区政务服务中心",
                note="请补充租赁登记备案证明",
                submitted_at=dt.date(2026, 11, 2),
                updated_at=dt.date(2026, 11, 10),
                imported_at=NOW - DAY,
            )
        ],
        "status_history": [
            dict(
                id=1,
                application_id=1,
                status="已受理",
                office="浈江区政务服务中心",
                note="",
                updated_at=dt.date(2026, 11, 2),
                recorded_at=NOW - 2 * DAY,
            )
        ],
        "status_lookup_attempts": [dict(id=1, conversation_hmac="c" * 64, attempted_at=NOW - DAY)],
    }


def console_rows() -> Dict[str, List[dict]]:
    return {
        "staff_users": [
            dict(
                id=1,
                username="admin.wang",
                password_hash=hash_password(PASSWORD, n=2**10),
                role="admin",
                active=True,
                created_at=NOW - 30 * DAY,
            )
        ],
        "handoffs": [
            dict(
                id=1,
                conversation_id="conv-waiting",
                channel="rest",
                reason="requested",
                status="waiting",
                created_at=NOW - DAY,
                taken_by=None,
                taken_at=None,
                closed_at=None,
            ),
            dict(
                id=2,
                conversation_id="conv-closed",
                channel="wechat",
                reason="gave_up",
                status="closed",
                created_at=NOW - 3 * DAY,
                taken_by="admin.wang",
                taken_at=NOW - 3 * DAY,
                closed_at=NOW - 2 * DAY,
            ),
        ],
        "resident_signals": [
            dict(
                id=1,
                kind="fallback",
                text="我家的狗能落户吗",
                intent="nlu_fallback",
                confidence=0.31,
                faq_id=None,
                channel="rest",
                created_at=NOW - DAY,
            ),
            dict(
                id=2,
                kind="not_useful",
                text="",
                intent=None,
                confidence=None,
                faq_id="rent_settle",
                channel="socketio",
                created_at=NOW - DAY,
            ),
        ],
        "audit_log": [
            dict(id=1, at=NOW - DAY, username="admin.wang", action="login", target="", detail=""),
            dict(
                id=2,
                at=NOW - DAY + dt.timedelta(minutes=1),
                username="admin.wang",
                action="handoff_close",
                target="#2",
                detail="已回电",
            ),
        ],
        "staff_sessions": [
            dict(
                id=1, token_hash=sessions._hash(TOKEN), user_id=1, csrf_token="x" * 43, created_at=NOW, last_seen_at=NOW
            ),
        ],
        "staff_login_failures": [dict(id=1, key_hash="ab" * 32, at=NOW - dt.timedelta(minutes=5))],
    }


ROWS = {"status": status_rows, "console": console_rows}


def build_7018e86(url: str, store: str) -> Dict[str, List[dict]]:
    """``store``'s tables as 7018e86 made them, with the rows of ROWS in each; the rows as stored."""
    metadata = schema_7018e86.METADATA[store]
    rows = ROWS[store]()
    assert set(rows) == set(metadata.tables), "a row in every table"
    engine = create_engine(url, future=True, poolclass=NullPool)
    try:
        metadata.create_all(engine)
        with engine.begin() as conn:
            for table in metadata.sorted_tables:
                conn.execute(insert(table), rows[table.name])
        return read_all(engine, list(rows))
    finally:
        engine.dispose()


def read_all(engine, tables: List[str]) -> Dict[str, List[dict]]:
    """Every row of ``tables`` as the database has it now (reflected, so no model is involved)."""
    found = MetaData()
    found.reflect(engine, only=tables)
    with engine.connect() as conn:
        return {
            name: [dict(row) for row in conn.execute(select(table).order_by(table.c.id)).mappings()]
            for name, table in found.tables.items()
        }


def upgrade(url: str, store: str) -> Dict[str, List[dict]]:
    """Upgrade ``store`` to head (as make migrate does); every 7018e86 table's rows afterwards."""
    engine = create_engine(url, future=True, poolclass=NullPool)
    try:
        assert schema.upgrade(engine, store) == (None, schema.head(store))
        assert schema.check(engine, store) == schema.head(store)
        return read_all(engine, list(schema_7018e86.METADATA[store].tables))
    finally:
        engine.dispose()


def test_the_status_store_of_7018e86_keeps_every_row(databases):
    url = databases.new("status")
    before = build_7018e86(url, "status")
    assert upgrade(url, "status") == before
    settings = Settings(status_db_url=url, hmac_secret=SECRET)

    view = lookup("sg-2026-110001", "121017", settings=settings)
    assert (view.status, view.masked_name, view.note) == ("需补充材料", "张*", "请补充租赁登记备案证明")
    assert view.updated_at == dt.date(2026, 11, 10)
    with status_session(settings) as session:
        [application] = session.scalars(select(Application)).all()
        assert [h.status for h in application.history] == ["已受理"]
        assert session.scalars(select(StatusHistory)).one().recorded_at == NOW - 2 * DAY
        # the attribute's name changed after 7018e86; the column did not
        assert session.scalars(select(LookupAttempt)).one().key_hmac == "c" * 64


def test_the_console_store_of_7018e86_keeps_every_row(databases, monkeypatch):
    url = databases.new("console")
    before = build_7018e86(url, "console")
    assert upgrade(url, "console") == before
    monkeypatch.setenv("CONSOLE_DB_URL", url)

    staff = authenticate("admin.wang", PASSWORD)
    assert (staff.id, staff.role) == (1, "admin")
    assert sessions.resolve(TOKEN, ConsoleSettings()).staff == staff
    assert [(item.id, item.conversation_id) for item in handoffs.queue()] == [(1, "conv-waiting")]
    closed = handoffs.get(2)
    assert (closed.status, closed.taken_by, closed.reason) == ("closed", "admin.wang", "gave_up")
    assert [(e.action, e.target, e.detail) for e in audit.recent()] == [
        ("handoff_close", "#2", "已回电"),
        ("login", "", ""),
    ]
    with desk_session() as session:
        signals = session.scalars(select(ResidentSignal).order_by(ResidentSignal.id)).all()
        assert [(s.kind, s.text, s.confidence, s.faq_id) for s in signals] == [
            ("fallback", "我家的狗能落户吗", pytest.approx(0.31), None),
            ("not_useful", "", None, "rent_settle"),
        ]
        assert session.scalars(select(LoginFailure)).one().key_hash == "ab" * 32
    # The table added after 7018e86 is there and works beside the old ones.
    change = faq_store.create("admin.wang", "试一下", [{"id": "rent_settle", "base_stamp": "", "before": {}}])
    assert faq_store.get(change.id).author == "admin.wang"
