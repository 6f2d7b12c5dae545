"""A private SQLite status store per test, with a known secret."""

import pytest

from platform_core.db import dispose_engines
from platform_core.settings import Settings

TEST_SECRET = b"test-secret-for-status-store-tests-only"


@pytest.fixture
def settings(tmp_path):
    yield Settings(status_db_url=f"sqlite:///{tmp_path / 'status.db'}", hmac_secret=TEST_SECRET, app_mode="embedded")
    dispose_engines()
