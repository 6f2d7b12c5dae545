"""Sessions on the status store's database (engines: platform_core.db)."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator, Optional

from sqlalchemy.orm import Session

from platform_core import db
from platform_core.settings import Settings, get_settings


@contextmanager
def session_scope(settings: Optional[Settings] = None) -> Iterator[Session]:
    """A session for one unit of work: committed if the block succeeds, rolled back otherwise."""
    with db.session_scope((settings or get_settings()).status_db_url, "status") as session:
        yield session
