"""bot.rasa_main gives a server tracker database pool_pre_ping; an SQLite file gets a pool instead.

The fault drill drills/test_tracker_db.py shows why: without it, an instance that saw no message
during a database outage fails the first one after it.
"""

import sys

from rasa.core import tracker_store

import bot.rasa_main as rasa_main


def test_postgresql_gets_a_ping_on_checkout_sqlite_does_not():
    postgresql = tracker_store.SQLTrackerStore.get_db_url("postgresql", "127.0.0.1", 5432, "tracker", "postgres", "")
    kwargs = rasa_main.engine_kwargs(postgresql)
    assert kwargs["pool_pre_ping"] is True and kwargs["pool_size"] > 0  # Rasa's own options kept
    sqlite_file = rasa_main.engine_kwargs(tracker_store.SQLTrackerStore.get_db_url("sqlite", db="t.db"))
    assert "pool_pre_ping" not in sqlite_file and sqlite_file["poolclass"].__name__ == "QueuePool"
    in_memory = rasa_main.engine_kwargs(tracker_store.SQLTrackerStore.get_db_url("sqlite", db=""))
    assert in_memory == {"hide_parameters": True}  # nothing but the errors that never quote values


def test_the_launcher_installs_it(monkeypatch, unpatched_rasa_after):
    monkeypatch.setattr(sys, "argv", ["rasa", "--version"])
    rasa_main.main()
    assert tracker_store.create_engine_kwargs is rasa_main.engine_kwargs
    assert tracker_store.SQLTrackerStore.save is rasa_main.save_new_events
