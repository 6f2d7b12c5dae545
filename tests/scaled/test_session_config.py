"""Sessions expire and start empty: what a resident said about their identity never carries over.

Quick, no services: the real domain and Rasa's own session-start action. The same thing end to end,
with a session aged past its expiry in PostgreSQL, is in drills/test_sessions.py.
"""

import asyncio
from pathlib import Path

import yaml
from rasa.core.actions.action import ActionSessionStart
from rasa.core.channels.channel import CollectingOutputChannel
from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

DOMAIN_DIR = Path(__file__).resolve().parents[2] / "bot" / "domain"
IDENTITY_SLOTS = {"application_no": "SG2026110001", "id_tail": "tail-token-0123456789abcdef"}


def test_session_config_is_set_once_expires_and_carries_nothing_over():
    configs = {
        path.name: yaml.safe_load(path.read_text(encoding="utf-8")).get("session_config")
        for path in sorted(DOMAIN_DIR.glob("*.yml"))
    }
    configs = {name: config for name, config in configs.items() if config}
    assert list(configs) == ["conversation.yml"], configs
    config = configs["conversation.yml"]
    assert 0 < config["session_expiration_time"] <= 60  # minutes
    assert config["carry_over_slots_to_new_session"] is False


def test_a_new_session_starts_without_the_identity_slots():
    domain = Domain.load(str(DOMAIN_DIR))
    assert set(IDENTITY_SLOTS) <= {slot.name for slot in domain.slots}
    tracker = DialogueStateTracker.from_events(
        "resident-1",
        [
            ActionExecuted("action_session_start"),
            SessionStarted(),
            ActionExecuted("action_listen"),
            UserUttered("查进度"),
            *[SlotSet(name, value) for name, value in IDENTITY_SLOTS.items()],
        ],
        slots=domain.slots,
    )
    assert all(tracker.get_slot(name) == value for name, value in IDENTITY_SLOTS.items())

    events = asyncio.run(
        ActionSessionStart().run(
            CollectingOutputChannel(), TemplatedNaturalLanguageGenerator(domain.responses), tracker, domain
        )
    )
    assert not [event for event in events if isinstance(event, SlotSet)]
    tracker.update_with_events(events, domain)
    assert all(tracker.get_slot(name) is None for name in IDENTITY_SLOTS)
