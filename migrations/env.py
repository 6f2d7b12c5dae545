"""Alembic's environment for every store (platform_core.schema names them).

Run by platform_core.schema on a connection it holds (``config.attributes["connection"]``), and by
the alembic command line for writing a revision (migrations/README.md): then the store is the
alembic.ini section (``-n console``) and the database ``-x url=...`` or the store's default.
"""

from logging.config import fileConfig

from alembic import context
from sqlalchemy import create_engine
from sqlalchemy.pool import NullPool

from migrations import stores
from platform_core.schema import version_table

config = context.config
store = config.attributes.get("store") or config.config_ini_section


def run(connection, target_metadata) -> None:
    context.configure(
        connection=connection,
        version_table=version_table(store),
        target_metadata=target_metadata,
        include_name=stores.include_name,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    # The first revisions look at the database (they keep tables made before migrations existed).
    raise SystemExit("不支持离线生成 SQL（--sql）：迁移需要连接数据库。")

given = config.attributes.get("connection")
if given is not None:
    run(given, target_metadata=None)
else:
    if config.config_file_name:
        fileConfig(config.config_file_name, disable_existing_loggers=False)
    url = context.get_x_argument(as_dictionary=True).get("url") or stores.default_url(store)
    engine = create_engine(url, future=True, hide_parameters=True, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            run(connection, target_metadata=stores.metadata(store))
    finally:
        engine.dispose()
