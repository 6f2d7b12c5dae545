"""The scaled profile's schema step: make migrate-scaled creates and migrates the status and console
databases; the start (deploy/stack.py) only checks, and refuses databases that are behind. On the
PostgreSQL test server, in databases of this test's own (dropped afterwards)."""

import uuid

import pytest
import sqlalchemy as sa

from deploy.config import Address, RedisTarget, ScaledConfig
from deploy.migrate import migrate_scaled
from deploy.stack import prepare_databases
from tests.scaled.services import require_postgres


@pytest.fixture
def config(tmp_path):
    server = require_postgres()
    prefix = f"shaoguan_scaled_test_migrate_{uuid.uuid4().hex[:8]}"
    yield ScaledConfig(
        model="m.tar.gz",
        pg_url=server,
        db_prefix=prefix,
        redis=RedisTarget.parse("redis://127.0.0.1:6379/6"),
        public=Address("127.0.0.1", 8088),
        internal=Address("127.0.0.1", 8089),
        rasa_ports=[5105],
        action_ports=[5155],
        web_port=None,
        work=tmp_path,
        api_token="token",
    )
    admin = sa.create_engine(server, future=True, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        for store in ("tracker", "status", "console"):
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{prefix}_{store}" WITH (FORCE)'))
    admin.dispose()


def test_the_start_refuses_unmigrated_databases_until_make_migrate_scaled(config):
    assert config.environment()["DB_MIGRATIONS"] == "explicit"  # no process of it migrates
    with pytest.raises(RuntimeError, match="make migrate-scaled"):
        prepare_databases(config)
    assert migrate_scaled(config.pg_url, config.db_prefix) == 0
    prepare_databases(config)  # now at the newest revision: the start goes on
    assert migrate_scaled(config.pg_url, config.db_prefix) == 0  # twice is harmless
