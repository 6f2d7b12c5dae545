"""What each store's tables are in today's code (their metadata), and where its database is by default.

For autogenerate (env.py), the drift test (tests/migrations/) and ``python -m deploy.migrate``.
"""

from __future__ import annotations

from typing import List

from sqlalchemy import MetaData


def metadata(store: str) -> List[MetaData]:
    """The models whose tables ``store``'s revisions must build, exactly."""
    if store == "status":
        from status_store.models import Base

        return [Base.metadata]
    if store == "console":
        from console import faq_store
        from console import store as console_store
        from service_desk import store as desk

        return [desk.Base.metadata, console_store.Base.metadata, faq_store.Base.metadata]
    if store == "wechat_seen":
        from bot.channels.wechat_seen import METADATA

        return [METADATA]
    raise ValueError(f"unknown store {store!r}")


def default_url(store: str) -> str:
    """The database the running code would use for ``store`` (environment, else the embedded default)."""
    if store == "status":
        from platform_core.settings import status_db_url

        return status_db_url()
    if store == "console":
        from service_desk.store import db_url

        return db_url()
    if store == "wechat_seen":
        from bot.channels.wechat_seen import DEFAULT_SQLITE_PATH

        return f"sqlite:///{DEFAULT_SQLITE_PATH}"
    raise ValueError(f"unknown store {store!r}")


def include_name(name: str, type_: str, parent_names: object) -> bool:
    """Autogenerate compares our tables only: not another store's version table in a shared database."""
    return not (type_ == "table" and name.startswith("alembic_version"))
