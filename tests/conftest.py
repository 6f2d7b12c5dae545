"""Fixtures shared by every tier: the real knowledge base and its search index."""

import logging
import shutil
from pathlib import Path

import pytest

from platform_core.settings import get_settings
from policy_kb.loader import DATA_DIR, load_kb
from policy_kb.search import FaqIndex

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def kb():
    return load_kb()


@pytest.fixture(scope="session")
def index(kb):
    return FaqIndex(kb)


@pytest.fixture
def data_copy(tmp_path):
    """A private copy of policy_kb/data that a test may break."""
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    return target


@pytest.fixture(autouse=True)
def private_console_db(tmp_path, monkeypatch):
    """Every test (and every stack it starts) writes handoffs and signals to its own console DB."""
    url = f"sqlite:///{tmp_path / 'console.db'}"
    monkeypatch.setenv("CONSOLE_DB_URL", url)
    return url


@pytest.fixture(autouse=True)
def fresh_settings(private_console_db):
    """The settings are read once per process (platform_core.settings); each test reads its own
    environment afresh, and a test that changes it mid-way calls get_settings.cache_clear()."""
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture(autouse=True)
def no_repeated_log_filter():
    """Rasa's logging set-up (run in-process by some tests) puts a filter on every root handler that
    drops a message identical to the one before it; pytest's capture handlers outlive a test, so
    a later test would not see a warning it expects (status_store's default-secret warning did not)."""
    yield
    for handler in logging.getLogger().handlers:
        for stale in [f for f in handler.filters if type(f).__name__ == "RepeatedLogFilter"]:
            handler.removeFilter(stale)


@pytest.fixture
def unpatched_rasa_after(monkeypatch):
    """What bot.rasa_main patches in Rasa is put back after the test, so no other test sees it."""
    from bot.rasa_main import rasa_patches

    for owner, name, _ in rasa_patches():
        monkeypatch.setattr(owner, name, vars(owner)[name])
