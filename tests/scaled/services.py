"""The PostgreSQL server and Redis database the scaled tests use, and whether they answer.

Quick tests (collected by make test too) skip when a server is missing; under make chaos
(SCALED_DRILLS=1) a missing server is a failure, so the drills can never pass by not running.
"""

from __future__ import annotations

import os

import pytest
import redis
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

PG_URL = os.environ.get("SCALED_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
# Never db 0 (the shared default) and not 5 (make run-scaled's): this one is flushed by the tests.
REDIS_URL = os.environ.get("SCALED_TEST_REDIS_URL", "redis://127.0.0.1:6379/6")
DRILLS = os.environ.get("SCALED_DRILLS") == "1"


def _missing(what: str, error: Exception) -> None:
    message = f"{what} 不可达：{str(error).strip().splitlines()[0]}"
    if DRILLS:
        pytest.fail(message)
    pytest.skip(message)


def require_postgres() -> str:
    engine = create_engine(PG_URL, future=True, connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except OperationalError as error:
        _missing(f"PostgreSQL（{make_url(PG_URL).render_as_string(hide_password=True)}）", error.orig)
    finally:
        engine.dispose()
    return PG_URL


def require_redis() -> redis.Redis:
    client = redis.Redis.from_url(REDIS_URL, socket_timeout=3)
    try:
        client.ping()
    except redis.RedisError as error:
        _missing(f"Redis（{REDIS_URL}）", error)
    if client.connection_pool.connection_kwargs.get("db", 0) == 0:
        pytest.fail("SCALED_TEST_REDIS_URL 不能用 0 号库：测试会清空它")
    return client
