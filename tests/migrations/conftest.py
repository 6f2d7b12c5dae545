"""Empty databases for the migration tests, on SQLite and on the PostgreSQL test server.

Each PostgreSQL "database" is a private schema (its connections search only it), dropped afterwards,
so parallel runs never meet. Skipped, saying why, only when no server answers at MIGRATION_TEST_PG_URL.
"""

from __future__ import annotations

import os
import uuid
from typing import List

import pytest
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.schema import CreateSchema, DropSchema

from platform_core.db import dispose_engines

PG_URL = os.environ.get("MIGRATION_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")


class Databases:
    """Empty databases of one back end, made on request."""

    def __init__(self, backend: str, tmp_path):
        self.backend, self.tmp_path = backend, tmp_path
        self.schemas: List[str] = []
        self.admin = None
        if backend == "postgresql":
            self.admin = create_engine(PG_URL, future=True, connect_args={"connect_timeout": 3})
            try:
                self.admin.connect().close()
            except OperationalError as error:
                self.admin.dispose()
                where = make_url(PG_URL).render_as_string(hide_password=True)
                pytest.skip(f"PostgreSQL 不可达（{where}）：{str(error.orig).strip().splitlines()[0]}")

    def new(self, name: str) -> str:
        """The URL of a new, empty database called ``name`` in this test."""
        if self.backend == "sqlite":
            return f"sqlite:///{self.tmp_path / f'{name}.db'}"
        schema = f"migration_test_{uuid.uuid4().hex[:12]}_{name}"
        with self.admin.begin() as conn:
            conn.execute(CreateSchema(schema))
        self.schemas.append(schema)
        url = make_url(PG_URL).update_query_dict({"options": f"-csearch_path={schema}"})
        return url.render_as_string(hide_password=False)

    def close(self) -> None:
        dispose_engines()
        if self.admin is not None:
            with self.admin.begin() as conn:
                for schema in self.schemas:
                    conn.execute(DropSchema(schema, cascade=True))
            self.admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def databases(request, tmp_path):
    made = Databases(request.param, tmp_path)
    yield made
    made.close()


@pytest.fixture
def sqlite_databases(tmp_path):
    made = Databases("sqlite", tmp_path)
    yield made
    made.close()
