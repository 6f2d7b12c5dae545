"""bot/tracker_store.py gives a server tracker database pool_pre_ping; an SQLite file gets a pool instead.

The fault drill drills/test_tracker_db.py shows why: without it, an instance that saw no message
during a database outage fails the first one after it.
"""

from rasa.core import tracker_store

from bot import tracker_store as ours


def test_postgresql_gets_a_ping_on_checkout_sqlite_does_not():
    postgresql = tracker_store.SQLTrackerStore.get_db_url("postgresql", "127.0.0.1", 5432, "tracker", "postgres", "")
    kwargs = ours.engine_kwargs(postgresql)
    assert kwargs["pool_pre_ping"] is True and kwargs["pool_size"] > 0  # Rasa's own options kept
    sqlite_file = ours.engine_kwargs(tracker_store.SQLTrackerStore.get_db_url("sqlite", db="t.db"))
    assert "pool_pre_ping" not in sqlite_file and sqlite_file["poolclass"].__name__ == "QueuePool"
    in_memory = ours.engine_kwargs(tracker_store.SQLTrackerStore.get_db_url("sqlite", db=""))
    assert in_memory == {"hide_parameters": True}  # nothing but the errors that never quote values


def test_the_store_builds_its_engine_with_them(tmp_path):
    """Rasa builds the engine with its own options; EventsTrackerStore replaces it on the same URL."""
    store = ours.EventsTrackerStore(dialect="sqlite", db=str(tmp_path / "t.db"))
    assert type(store.engine.pool).__name__ == "QueuePool" and store.engine.hide_parameters
    assert str(store.engine.url) == f"sqlite:///{tmp_path / 't.db'}"
