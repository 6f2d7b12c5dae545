"""The models and the migrations agree: a database built by the revisions is exactly what today's
models describe (alembic autogenerate finds nothing to do). A column, table or index added to a
model without a revision fails here; write one (migrations/README.md).
"""

from __future__ import annotations

import ast
import importlib
from typing import List

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Column, MetaData, String, create_engine
from sqlalchemy.pool import NullPool

from migrations import stores
from platform_core import schema
from tests.conftest import REPO

# Where the project's tables are declared; each must belong to a store (migrations/stores.py).
MODEL_MODULES = {
    "status_store/models.py": "status",
    "service_desk/store.py": "console",
    "console/store.py": "console",
    "console/faq_store.py": "console",
    "bot/channels/wechat_seen.py": "wechat_seen",
}


def differences(url: str, store: str, metadata: List[MetaData]) -> list:
    """What autogenerate would change to make the database at ``url`` match ``metadata``."""
    engine = create_engine(url, future=True, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            options = {"compare_type": True, "include_name": stores.include_name}
            options["version_table"] = schema.version_table(store)
            return compare_metadata(MigrationContext.configure(connection, opts=options), metadata)
    finally:
        engine.dispose()


def migrated(url: str, store: str) -> str:
    engine = create_engine(url, future=True, poolclass=NullPool)
    try:
        schema.upgrade(engine, store)
    finally:
        engine.dispose()
    return url


@pytest.mark.parametrize("store", ["status", "console"])
def test_the_revisions_build_exactly_what_the_models_say(databases, store):
    url = migrated(databases.new(store), store)
    assert differences(url, store, stores.metadata(store)) == []


def test_the_wechat_file_is_what_its_table_says(sqlite_databases):
    # SQLite only: the scaled profile keeps those keys in Redis.
    url = migrated(sqlite_databases.new("wechat_seen"), "wechat_seen")
    assert differences(url, "wechat_seen", stores.metadata("wechat_seen")) == []


def test_a_column_added_to_a_model_without_a_revision_is_caught(sqlite_databases):
    url = migrated(sqlite_databases.new("console"), "console")
    changed = []
    for metadata in stores.metadata("console"):
        copy = MetaData()
        for table in metadata.tables.values():
            table.to_metadata(copy)
        changed.append(copy)
    changed[0].tables["handoffs"].append_column(Column("added_without_a_revision", String(8)))
    [added] = differences(url, "console", changed)
    assert added[0] == "add_column" and added[2:4] == (
        "handoffs",
        changed[0].tables["handoffs"].c.added_without_a_revision,
    )


def test_every_table_the_code_declares_belongs_to_a_store():
    declaring = set()
    for path in REPO.rglob("*.py"):
        relative = path.relative_to(REPO)
        if relative.parts[0] in ("tests", ".venv", "var", "node_modules", "webchat", "migrations"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            called = getattr(node, "func", None) if isinstance(node, ast.Call) else None
            name = getattr(called, "attr", getattr(called, "id", ""))
            assert name != "create_all", f"{relative}:{node.lineno}: tables are made by migrations (migrations/)"
            if name in ("declarative_base", "MetaData"):
                declaring.add(str(relative))
    assert declaring == set(MODEL_MODULES)
    for path, store in MODEL_MODULES.items():
        module = importlib.import_module(path[:-3].replace("/", "."))
        found = [value for value in vars(module).values() if isinstance(value, MetaData)]
        found += [value.metadata for value in vars(module).values() if hasattr(value, "registry")]
        assert found and all(any(m is metadata for m in stores.metadata(store)) for metadata in found), path
