"""Health probes of the scaled profile: when is a process ready to serve residents.

"Answers HTTP" is not enough: Rasa answers ``/`` before it can reach its databases, and both Rasa's
channel guard and the action server load the knowledge base only when first needed, which costs the
first resident seconds (the first 系统繁忙 reply came that late). Each probe therefore
does the real thing once. The Kubernetes readiness probes in deploy/helm/ do the same.
"""

from __future__ import annotations

from typing import Callable

import requests

TIMEOUT = 10
# The greeting starts with this; a REST "你好" that gets it back has been through the model, the
# tracker database, the lock store and an action server.
GREETING = "您好"

# What Rasa sends an action server to run the greeting.
GREETING_CALL = {
    "next_action": "action_smalltalk",
    "sender_id": "healthcheck",
    "tracker": {
        "sender_id": "healthcheck",
        "slots": {},
        "events": [],
        "paused": False,
        "followup_action": None,
        "active_loop": {},
        "latest_action_name": "action_listen",
        "latest_message": {"text": "你好", "intent": {"name": "greet", "confidence": 1.0}, "entities": []},
    },
    "domain": {},
}

Probe = Callable[[], bool]


def get_ok(url: str) -> Probe:
    return lambda: requests.get(url, timeout=TIMEOUT).status_code == 200


def actions(base: str, token: str) -> Probe:
    """Up, and the greeting action answers (which loads the knowledge base); ``token`` is the
    shared secret the action server asks of every call (actions/server.py)."""

    def probe() -> bool:
        if requests.get(f"{base}/health", timeout=TIMEOUT).status_code != 200:
            return False
        reply = requests.post(f"{base}/webhook", json=GREETING_CALL, headers={"X-Action-Token": token}, timeout=60)
        return reply.status_code == 200 and any(GREETING in (r.get("text") or "") for r in reply.json()["responses"])

    return probe


def rasa(base: str, token: str, sender: str) -> Probe:
    """Model loaded (``/status`` with the token), the channel guard answers an empty message on its
    own (loading its knowledge base), and "你好" gets the greeting."""
    webhook = f"{base}/webhooks/rest/webhook"

    def probe() -> bool:
        status = requests.get(f"{base}/status", params={"token": token}, timeout=TIMEOUT)
        if status.status_code != 200 or not status.json().get("model_id"):
            return False
        empty = requests.post(webhook, json={"sender": sender, "message": ""}, timeout=TIMEOUT)
        if empty.status_code != 200 or not empty.json():
            return False
        return greets(webhook, sender)

    return probe


def greets(url: str, sender: str) -> bool:
    """True when a REST "你好" to ``url`` gets the greeting back."""
    reply = requests.post(url, json={"sender": sender, "message": "你好"}, timeout=60)
    return reply.status_code == 200 and any(GREETING in (m.get("text") or "") for m in reply.json())


def passes(probe: Probe) -> bool:
    try:
        return probe()
    except (requests.RequestException, ValueError, KeyError):
        return False
