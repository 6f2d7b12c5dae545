"""A conversation database that fails is an error and an alert, never a silent switch to memory."""

import asyncio
import logging

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event, SlotSet
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.utils.schemas.events import EVENT_SCHEMA

from bot.rasa_main import AlertingTrackerStore, TrackerStoreUnavailable


class BrokenStore(InMemoryTrackerStore):
    async def retrieve(self, sender_id):
        raise ConnectionError("could not connect to server: 127.0.0.1:5432")

    async def save(self, tracker):
        raise ConnectionError("could not connect to server: 127.0.0.1:5432")


def test_failures_raise_and_alert_instead_of_falling_back_to_memory(caplog):
    store = AlertingTrackerStore(BrokenStore(Domain.empty()))
    with caplog.at_level(logging.ERROR):
        with pytest.raises(TrackerStoreUnavailable):
            asyncio.run(store.retrieve("resident-1"))
        with pytest.raises(TrackerStoreUnavailable):
            asyncio.run(store.save(DialogueStateTracker("resident-1", [])))
    assert "告警：对话库不可用" in caplog.text
    assert store._fallback_tracker_store is None  # nothing was ever written to memory


def test_a_working_store_is_used_as_before():
    store = AlertingTrackerStore(InMemoryTrackerStore(Domain.empty()))
    asyncio.run(store.save(DialogueStateTracker("resident-1", [])))
    assert asyncio.run(store.retrieve("resident-1")).sender_id == "resident-1"


def test_the_launcher_swaps_rasas_wrapper(monkeypatch, unpatched_rasa_after):
    import sys

    from rasa.core import agent

    import bot.rasa_main as rasa_main

    monkeypatch.setattr(sys, "argv", ["rasa", "--version"])
    rasa_main.main()  # prints the version and returns
    assert agent.FailSafeTrackerStore is AlertingTrackerStore
    assert isinstance(agent.Agent._create_tracker_store(None, Domain.empty()), AlertingTrackerStore)
    assert Event.resolve_by_type is rasa_main.resolve_event_type
    assert Event.from_parameters({"event": "slot", "name": "a"}).key == "a"


def test_event_classes_are_remembered_exactly_as_rasa_finds_them():
    from rasa.shared.utils.common import all_subclasses

    from bot.rasa_main import _event_classes, _rasa_resolve_event_type, resolve_event_type

    for cls in all_subclasses(Event):
        assert resolve_event_type(cls.type_name) is _rasa_resolve_event_type(cls.type_name)
        assert resolve_event_type(cls.type_name) is _event_classes[cls.type_name]  # remembered
    assert resolve_event_type("topic") is None  # Rasa's backwards compatibility
    assert resolve_event_type("no_such_event", SlotSet) is SlotSet and "no_such_event" not in _event_classes
    with pytest.raises(ValueError, match="Unknown event name 'no_such_event'"):
        resolve_event_type("no_such_event")
    with pytest.raises(ValueError):
        resolve_event_type(["not", "a", "name"])  # unhashable: Rasa's error, no TypeError


def test_compiled_action_result_check_accepts_and_refuses_like_rasas():
    from jsonschema import ValidationError
    from rasa.core.actions.action import RemoteAction

    from bot.rasa_main import validate_action_result

    good = {"events": [{"event": "slot", "name": "staff_reply", "value": None}], "responses": [{"text": "好"}]}
    assert validate_action_result(None, good) is True
    action = RemoteAction("action_x", None)
    assert RemoteAction._validate_action_result is not validate_action_result  # not patched here
    assert RemoteAction._validate_action_result(action, good) is True  # Rasa's own agrees
    bad = {"events": [{"event": "no_such_event"}], "responses": "not a list"}
    with pytest.raises(ValidationError) as ours:
        validate_action_result(None, bad)
    with pytest.raises(ValidationError) as rasas:
        RemoteAction._validate_action_result(action, bad)
    assert ours.value.message.split(". Failed")[0] == rasas.value.message.split(". Failed")[0]


# Every event type Rasa's response schema knows, and a few it does not.
_EVENT_TYPES = sorted(alternative["properties"]["event"]["const"] for alternative in EVENT_SCHEMA["oneOf"])
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=6,
)
_TEXT = st.none() | st.text(max_size=5)
# Mostly the types the schema asks for, so that many responses pass; sometimes anything at all.
_FIELDS = {
    "name": _TEXT,
    "value": _JSON,
    "text": _TEXT,
    "timestamp": st.none() | st.floats(allow_nan=False),
    "metadata": st.none() | st.dictionaries(st.text(max_size=3), _JSON, max_size=2),
    "entities": st.lists(st.fixed_dictionaries({"entity": st.text(max_size=3), "value": _JSON}), max_size=2),
    "parse_data": st.fixed_dictionaries(
        {}, optional={"text": _TEXT, "intent": st.fixed_dictionaries({"name": st.text(max_size=3)})}
    ),
    "policy": _TEXT,
    "confidence": st.none() | st.floats(allow_nan=False),
    "hide_rule_turn": st.booleans(),
}


def _mostly(usual, odd):
    """``usual`` nine times in ten, else ``odd`` (st.one_of would draw each half the time)."""
    return st.integers(0, 9).flatmap(lambda draw: odd if draw == 0 else usual)


_TYPED_EVENT = st.fixed_dictionaries(
    {"event": st.sampled_from(_EVENT_TYPES)},
    optional={field: _mostly(strategy, _JSON) for field, strategy in _FIELDS.items()},
)
_ODD_EVENT = st.fixed_dictionaries({"event": st.text(max_size=8) | _JSON}, optional={"name": _TEXT}) | _JSON
_EVENTS = _mostly(_TYPED_EVENT, _ODD_EVENT)
_RESULTS = st.one_of(
    st.fixed_dictionaries(
        {}, optional={"events": st.lists(_EVENTS, max_size=4) | _JSON, "responses": st.lists(_JSON, max_size=2) | _JSON}
    ),
    _JSON,
)


def _verdict(check, result):
    from jsonschema import ValidationError

    try:
        return check(result) is True
    except ValidationError as error:
        return error.message.split(". Failed")[0]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_RESULTS)
def test_fast_action_result_check_agrees_with_rasas_on_any_response(result):
    # Same acceptance and, when refused, the same best-matching error as Rasa's own check.
    from rasa.core.actions.action import RemoteAction

    from bot.rasa_main import validate_action_result

    action = RemoteAction("action_x", None)
    rasas = _verdict(lambda r: RemoteAction._validate_action_result(action, r), result)
    assert _verdict(lambda r: validate_action_result(None, r), result) == rasas


def test_fast_action_result_check_on_real_responses():
    from bot.rasa_main import _passes_fast_check

    slot = {"event": "slot", "name": "requested_slot", "value": "elig_housing", "timestamp": None}
    bot = {"event": "bot", "text": "您在韶关有住的地方吗？", "data": {"buttons": []}, "metadata": {}}
    assert _passes_fast_check({"events": [slot, bot, {"event": "active_loop", "name": None}], "responses": []})
    assert not _passes_fast_check({"events": [{"event": "slot", "value": 1}]})  # a SlotSet needs its name
    assert not _passes_fast_check({"events": [{"event": "bot", "timestamp": "now"}]})  # common fields too
    assert not _passes_fast_check({"events": [{"name": "x"}]})  # no type
