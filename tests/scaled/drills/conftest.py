"""One scaled stack for every drill of the session (it takes minutes to start): each drill leaves it
as it found it (processes running, proxies connected, no injected fault)."""

import os

import pytest

from platform_core.db import dispose_engines
from platform_core.settings import Settings
from status_store.importer import import_file
from tests.conftest import REPO
from tests.scaled.drills.drill import DB_PREFIX, SECRET, Drill, drop_databases
from tests.scaled.services import require_postgres, require_redis
from tests.stack import MODEL

APPLICATIONS = REPO / "tests" / "status_store" / "fixtures" / "applications.csv"


@pytest.fixture(scope="session")
def drill(tmp_path_factory):
    if not os.path.exists(MODEL):
        pytest.fail(f"模型不存在：{MODEL}（请先 make train）")
    pg_url, redis = require_postgres(), require_redis()
    redis.flushdb()  # the drills' own database number (never 0; see services.py)
    running = Drill(MODEL, pg_url, _redis_url(redis), tmp_path_factory.mktemp("scaled"))
    try:
        running.start()
        status_url = running.config.store_url("status", direct=True).render_as_string(hide_password=False)
        report = import_file(APPLICATIONS, settings=Settings(status_db_url=status_url, hmac_secret=SECRET.encode()))
        assert report.summary.added > 0
        dispose_engines()
        yield running
    finally:
        running.stop()
        redis.flushdb()
        if os.environ.get("SCALED_KEEP") != "1":  # SCALED_KEEP=1 leaves the databases for a post-mortem
            drop_databases(pg_url, DB_PREFIX)


def _redis_url(client):
    kwargs = client.connection_pool.connection_kwargs
    return f"redis://{kwargs['host']}:{kwargs['port']}/{kwargs['db']}"


@pytest.fixture(autouse=True)
def healed(drill):
    """Whatever a drill broke is mended before the next one, even when it fails half-way."""
    yield
    drill.heal_actions()
    for proxy in drill.proxies.values():
        if not proxy.up:
            proxy.restore()
    stopped = [name for name, service in drill.stack.services.items() if not service.running]
    if stopped:
        drill.restart(stopped)
