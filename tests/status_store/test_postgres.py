"""The same store against the real PostgreSQL server, in a private schema that is dropped afterwards.

Skipped only when no server answers at STATUS_TEST_PG_URL (default: the local test database).
"""

import datetime as dt
import os
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.schema import CreateSchema, DropSchema

from platform_core.db import dispose_engines
from platform_core.settings import Settings
from status_store.importer import import_file
from status_store.lookup import lookup, throttled_lookup
from status_store.models import Base
from status_store.throttle import APPLICATION, LookupThrottle
from tests.status_store.conftest import TEST_SECRET
from tests.status_store.helpers import read_csv, row, write_csv
from tests.status_store.test_importer import SAMPLE

PG_URL = os.environ.get("STATUS_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")


@pytest.fixture
def pg_settings():
    admin = create_engine(PG_URL, future=True, connect_args={"connect_timeout": 3})
    try:
        admin.connect().close()
    except OperationalError as error:
        admin.dispose()
        pytest.skip(
            f"PostgreSQL 不可达（{make_url(PG_URL).render_as_string(hide_password=True)}）："
            f"{str(error.orig).strip().splitlines()[0]}"
        )
    schema = f"status_test_{uuid.uuid4().hex[:12]}"
    with admin.begin() as conn:
        conn.execute(CreateSchema(schema))
    # Every connection of the store searches only the private schema: no table prefix needed.
    url = make_url(PG_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    yield Settings(status_db_url=url.render_as_string(hide_password=False), hmac_secret=TEST_SECRET)
    dispose_engines()
    with admin.begin() as conn:
        conn.execute(DropSchema(schema, cascade=True))
    admin.dispose()


def test_import_lookup_history_and_throttle_on_postgresql(pg_settings, tmp_path):
    assert import_file(SAMPLE, settings=pg_settings).summary.added == 8
    assert import_file(SAMPLE, settings=pg_settings).summary.unchanged == 8
    newer = row("SG2026110001", id_number="440299198503121017", status="已办结", updated_at="2026-11-20")
    assert import_file(write_csv(tmp_path / "b.csv", [newer]), settings=pg_settings).summary.updated == 1

    view = lookup("sg-2026-110001", "121017", settings=pg_settings)
    assert (view.status, view.masked_name, view.updated_at) == ("已办结", "张*", dt.date(2026, 11, 20))
    assert lookup("SG2026110001", "121018", settings=pg_settings) is None
    assert lookup("SG2026119999", "121017", settings=pg_settings) is None

    clock = lambda: dt.datetime(2026, 11, 20, 9, 0)  # noqa: E731
    throttle = LookupThrottle(pg_settings, clock=clock)
    results = [throttled_lookup("pg-user", "SG2026110001", "000000", throttle=throttle) for _ in range(5)]
    assert results[-1].locked and throttled_lookup("pg-user", "SG2026110001", "121017", throttle=throttle).locked


def test_no_id_digits_in_any_postgresql_table(pg_settings):
    import_file(SAMPLE, settings=pg_settings)
    throttled_lookup("pg-user", "SG2026110001", "999999", settings=pg_settings)
    engine = create_engine(pg_settings.status_db_url, future=True)
    with engine.connect() as conn:
        schema = conn.execute(text("select current_schema()")).scalar()
        dump = "".join(repr(conn.execute(select(table)).all()) for table in Base.metadata.sorted_tables)
    engine.dispose()
    assert schema.startswith("status_test_") and "SG2026110008" in dump
    for record in read_csv(SAMPLE):
        assert record["id_number"] not in dump and record["id_number"][-6:] not in dump
    assert "pg-user" not in dump


def test_two_action_servers_share_the_limits_per_number(pg_settings):
    """Guesses spread over two action servers (each its own engine on the shared database) and over
    a dozen conversations, some in parallel, still rest the number after five failures."""
    import_file(SAMPLE, settings=pg_settings)
    other = Settings(
        status_db_url=make_url(pg_settings.status_db_url)
        .update_query_dict({"application_name": "actions-2"})
        .render_as_string(hide_password=False),
        hmac_secret=TEST_SECRET,
    )
    servers = [LookupThrottle(pg_settings), LookupThrottle(other)]
    for n in range(3):
        throttled_lookup(f"pg-guess-{n}", "SG2026110001", f"{100000 + n}", throttle=servers[n % 2])
    with ThreadPoolExecutor(max_workers=8) as pool:
        burst = pool.map(
            lambda n: throttled_lookup(f"pg-burst-{n}", "SG2026110001", f"{200000 + n}", throttle=servers[n % 2]),
            range(9),
        )
        assert sum(not result.locked for result in burst) <= 1
    [number] = [s for s in servers[1].subjects("x", "SG2026110001") if s[0].scope == "application"]
    assert servers[0].counts([number])[0] <= APPLICATION.limit  # a burst may all be refused, never all tried
    for n in range(APPLICATION.limit):
        if throttled_lookup(f"pg-after-{n}", "SG2026110001", f"{300000 + n}", throttle=servers[n % 2]).locked:
            break
    assert servers[1].counts([number]) == [APPLICATION.limit]
    right = throttled_lookup("pg-owner", "SG2026110001", "121017", throttle=servers[1])
    assert right.locked and not right.found
    assert lookup("SG2026110001", "121017", settings=other) is not None  # staff are not held
