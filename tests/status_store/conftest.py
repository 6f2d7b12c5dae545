"""A private SQLite status store per test, with a known secret."""

import pytest

from status_store.db import dispose_engines
from status_store.settings import Settings

TEST_SECRET = b"test-secret-for-status-store-tests-only"


@pytest.fixture
def settings(tmp_path):
    yield Settings(db_url=f"sqlite:///{tmp_path / 'status.db'}", hmac_secret=TEST_SECRET, app_mode="embedded")
    dispose_engines()
