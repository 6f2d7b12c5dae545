"""bot/tracker_store.py, the SQL tracker store the endpoints files name: the rows Rasa's own class
writes, the trackers it reads, the engine options, and that Rasa really loads it from the files."""

import asyncio
import json

import pytest
from rasa.core.tracker_store import SQLTrackerStore, TrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity

from bot.rasa_main import AlertingTrackerStore
from bot.tracker_store import TYPE, EventsTrackerStore
from tests.conftest import REPO


@pytest.mark.parametrize("endpoints", ["bot/endpoints.yml", "deploy/endpoints.scaled.yml"])
def test_the_endpoints_files_name_this_class_and_rasa_loads_it(endpoints, monkeypatch, tmp_path):
    """Rasa falls back to memory, with a mere warning, when the class named cannot be loaded
    (rasa/core/tracker_store.py:1563): a typo here would lose conversations silently."""
    import yaml
    from rasa.core.utils import AvailableEndpoints

    assert yaml.safe_load((REPO / endpoints).read_text(encoding="utf-8"))["tracker_store"]["type"] == TYPE
    for name in ("TRACKER_DB_HOST", "TRACKER_DB_PORT", "TRACKER_DB_NAME", "TRACKER_DB_USER", "TRACKER_DB_PASSWORD"):
        monkeypatch.setenv(name, "")
    for name in (
        "ACTION_ENDPOINT_URL",
        "ACTION_SERVER_TOKEN",
        "LOCK_STORE_TYPE",
        "REDIS_HOST",
        "REDIS_PORT",
        "TRACKER_DB",
    ):
        monkeypatch.setenv(name, "x")
    monkeypatch.setenv("REDIS_DB", "0")
    monkeypatch.setenv("TRACKER_DB_DIALECT", "sqlite")
    monkeypatch.setenv("REDIS_PASSWORD", "")
    config = AvailableEndpoints.read_endpoints(str(REPO / endpoints)).tracker_store
    # Loaded on SQLite here (no PostgreSQL needed): only the class and the arguments matter.
    config.kwargs.update(dialect="sqlite", db=str(tmp_path / "t.db"), port=None, username=None, password=None)
    config.url = None
    store = TrackerStore.create(config, Domain.empty())
    assert type(store) is EventsTrackerStore


def test_an_sqlite_tracker_file_is_pooled_in_wal_mode_and_keeps_every_event(tmp_path):
    import sqlite3

    from rasa.shared.core.events import ActionExecuted, UserUttered

    db = tmp_path / "tracker.db"
    store = AlertingTrackerStore(EventsTrackerStore(Domain.empty(), dialect="sqlite", db=str(db)))
    for turn in range(3):
        tracker = asyncio.run(store.retrieve("resident-1")) or DialogueStateTracker("resident-1", [])
        tracker.update(UserUttered(f"第{turn}条", {"name": "greet", "confidence": 1.0}))
        tracker.update(ActionExecuted("action_listen"))
        asyncio.run(store.save(tracker))
    assert type(store._tracker_store.engine.pool).__name__ == "QueuePool"
    # the journal mode is in the file: another process (make purge, the console) sees WAL too
    with sqlite3.connect(db) as other:
        assert other.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert other.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL: a commit is on disk
        texts = [row[0] for row in other.execute("SELECT data FROM events WHERE type_name = 'user' ORDER BY id")]
    assert [json.loads(t)["text"] for t in texts] == ["第0条", "第1条", "第2条"]


def _rows(db):
    import sqlite3

    with sqlite3.connect(db) as connection:
        query = "SELECT sender_id, type_name, timestamp, intent_name, action_name, data FROM events ORDER BY id"
        return connection.execute(query).fetchall()


def test_one_insert_a_turn_stores_exactly_the_rows_rasas_save_stores(tmp_path):
    from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered

    turns = [
        [
            UserUttered(
                "租房可以落户吗", {"name": "ask_rent", "confidence": 0.9}, [{"entity": "housing", "value": "租房"}]
            ),
            ActionExecuted("action_answer_faq"),
            BotUttered("可以。依据：第（三）条"),
            ActionExecuted("action_listen"),
        ],
        [
            UserUttered("查进度", {"name": "check_status", "confidence": 0.8}),
            SlotSet("application_no", "SG2026110001"),
            ActionExecuted("status_form"),
        ],
    ]
    stores = {
        name: store_class(Domain.empty(), dialect="sqlite", db=str(tmp_path / f"{name}.db"))
        for name, store_class in (("rasa", SQLTrackerStore), ("ours", EventsTrackerStore))
    }
    trackers = {name: DialogueStateTracker("resident-1", []) for name in stores}
    for turn in turns:
        for name, store in stores.items():
            for event in turn:
                trackers[name].update(event)
            asyncio.run(store.save(trackers[name]))
    rasa_rows, our_rows = _rows(tmp_path / "rasa.db"), _rows(tmp_path / "ours.db")
    assert len(our_rows) == 7 and our_rows == rasa_rows
    assert asyncio.run(stores["ours"].retrieve("resident-1")).latest_message.text == "查进度"


def test_reading_only_the_event_json_gives_the_trackers_rasa_reads(tmp_path):
    from rasa.shared.core.events import ActionExecuted, SessionStarted, SlotSet, UserUttered

    domain = Domain.from_dict({"slots": {"application_no": {"type": "text", "mappings": [{"type": "custom"}]}}})
    store = EventsTrackerStore(domain, dialect="sqlite", db=str(tmp_path / "tracker.db"))
    tracker = DialogueStateTracker("resident-1", domain.slots)
    sessions = [["租房可以落户吗", "老人投靠子女"], ["查进度"]]  # two sessions: retrieve reads only the last
    for number, texts in enumerate(sessions):
        start = 1000.0 * (number + 1)  # Rasa's query finds the last session by timestamp; 0 would mean "now"
        tracker.update(ActionExecuted("action_session_start", timestamp=start))
        tracker.update(SessionStarted(timestamp=start))
        for turn, text in enumerate(texts):
            tracker.update(UserUttered(text, {"name": "ask", "confidence": 0.9}, timestamp=start + turn + 1))
            tracker.update(SlotSet("application_no", f"SG{number}{turn}", timestamp=start + turn + 1))
    asyncio.run(store.save(tracker))
    for everything in (False, True):
        rasas = asyncio.run(SQLTrackerStore._retrieve(store, "resident-1", everything))
        ours = asyncio.run(store._retrieve("resident-1", everything))
        assert ours.current_state(EventVerbosity.ALL) == rasas.current_state(EventVerbosity.ALL)
        assert ours.get_slot("application_no") == "SG10"
    assert [e.text for e in ours.events if isinstance(e, UserUttered)] == ["租房可以落户吗", "老人投靠子女", "查进度"]
    latest = asyncio.run(store._retrieve("resident-1", False))
    assert [e.text for e in latest.events if isinstance(e, UserUttered)] == ["查进度"]
    assert asyncio.run(store._retrieve("nobody", False)) is None
