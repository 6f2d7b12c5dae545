"""The baseline revisions build exactly the schema of commit 7018e86, and the frozen copy of that
schema the upgrade test uses (schema_7018e86.py) is exactly what 7018e86's models said."""

from __future__ import annotations

import subprocess
import types
from typing import List

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import MetaData, create_engine
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.pool import NullPool
from sqlalchemy.schema import CreateIndex, CreateTable

from migrations import stores
from platform_core import schema
from tests.conftest import REPO
from tests.migrations import schema_7018e86

COMMIT = "7018e86"
BASELINES = {"status": "status_0001", "console": "console_0001"}
SOURCES = {"status": ["status_store/models.py"], "console": ["console/store.py"]}
# Imports of the old sources whose names have moved since (to platform_core); the old code is run
# with them pointed at the new place, which defines the same names.
MOVED = {
    "from status_store.db import get_engine": "from platform_core.db import get_engine",
    "from status_store.settings import REPO": "from platform_core.paths import REPO",
}


def ddl(metadata: MetaData) -> List[str]:
    """Every CREATE TABLE and CREATE INDEX ``create_all`` would run, for SQLite and PostgreSQL."""
    statements = []
    for dialect in (sqlite.dialect(), postgresql.dialect()):
        for table in metadata.sorted_tables:
            statements.append(str(CreateTable(table).compile(dialect=dialect)).strip())
            statements += sorted(str(CreateIndex(index).compile(dialect=dialect)) for index in table.indexes)
    return statements


def old_metadata(path: str) -> MetaData:
    """The metadata of ``path`` as commit 7018e86 had it (its source run as a throwaway module)."""
    shown = subprocess.run(["git", "show", f"{COMMIT}:{path}"], cwd=REPO, capture_output=True, text=True)
    if shown.returncode != 0:
        pytest.skip(f"没有提交 {COMMIT} 的历史（浅克隆？）：{shown.stderr.strip()}")
    module = types.ModuleType(f"at_{COMMIT}_{path.replace('/', '_')[:-3]}")
    source = shown.stdout
    for old, new in MOVED.items():
        source = source.replace(old, new)
    exec(compile(source, f"{COMMIT}:{path}", "exec"), module.__dict__)
    return module.Base.metadata


@pytest.mark.parametrize("store", sorted(SOURCES))
def test_the_frozen_copy_is_what_7018e86_created(store):
    [path] = SOURCES[store]
    assert ddl(schema_7018e86.METADATA[store]) == ddl(old_metadata(path))


@pytest.mark.parametrize("store", sorted(BASELINES))
def test_the_baseline_revision_builds_the_schema_of_7018e86(databases, store):
    engine = create_engine(databases.new(store), future=True, poolclass=NullPool)
    try:
        with engine.begin() as connection:
            command.upgrade(schema.alembic_config(store, connection), BASELINES[store])
        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"compare_type": True, "include_name": stores.include_name}
            )
            assert compare_metadata(context, schema_7018e86.METADATA[store]) == []
    finally:
        engine.dispose()
