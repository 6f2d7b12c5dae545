"""Turn a Rasa tracker (as the HTTP API returns it) into what a hotline agent reads.

For each resident message: the text and what the assistant understood (intent and confidence);
the assistant's replies; form and slot changes; pauses and resumes. Texts have passed the channel
guard already and are redacted once more here; the ID-tail slot holds a keyed token that means
nothing to a person, so it is shown only as "provided".
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Dict, Optional

from platform_core.redaction import redact

# Slots that are bookkeeping, not conversation: never shown.
HIDDEN_SLOTS = {"session_started_metadata", "requested_slot", "staff_reply"}
# Slots whose value is identity data (a keyed token of the ID tail): shown only as provided.
MASKED_SLOTS = {"id_tail"}
MASKED = "（已提供，已隐去）"
STAFF_REPLY_ACTION = "action_staff_reply"


def _time(event: Dict[str, Any]) -> Optional[str]:
    stamp = event.get("timestamp")
    if not isinstance(stamp, (int, float)):
        return None
    return datetime.fromtimestamp(stamp, tz=timezone.utc).isoformat(timespec="seconds")


def slot_value(name: str, value: Any) -> Any:
    if value is None:
        return None
    if name in MASKED_SLOTS:
        return MASKED
    return redact(value) if isinstance(value, str) else value


def _user(event: Dict[str, Any]) -> Dict[str, Any]:
    intent = (event.get("parse_data") or {}).get("intent") or {}
    confidence = intent.get("confidence")
    return {
        "kind": "user",
        "text": redact(event.get("text") or ""),
        "intent": intent.get("name"),
        "confidence": round(float(confidence), 3) if isinstance(confidence, (int, float)) else None,
        "channel": event.get("input_channel"),
    }


def _bot(event: Dict[str, Any]) -> Dict[str, Any]:
    buttons = (event.get("data") or {}).get("buttons") or []
    titles = [str(button.get("title", "")) for button in buttons]
    return {"kind": "bot", "text": redact(event.get("text") or ""), "buttons": titles}


def _entry(event: Dict[str, Any]) -> Optional[Dict[str, Any]]:
    kind = event.get("event")
    if kind == "user":
        return _user(event)
    if kind == "bot":
        return _bot(event)
    if kind == "slot" and event.get("name") not in HIDDEN_SLOTS:
        return {"kind": "slot", "name": event.get("name"), "value": slot_value(event.get("name"), event.get("value"))}
    if kind == "active_loop":
        return {"kind": "form", "name": event.get("name")}
    if kind in ("pause", "resume"):
        return {"kind": kind}
    return None


def render(tracker: Dict[str, Any]) -> Dict[str, Any]:
    """``{"entries": [...], "slots": {...}, "form": name or None, "paused": bool}``.

    A bot message sent by the staff-reply action is marked ``"staff": True``.
    """
    entries, action = [], None
    for event in tracker.get("events") or []:
        if event.get("event") == "action":
            action = event.get("name")
        entry = _entry(event)
        if entry is not None:
            if entry["kind"] == "bot":
                entry["staff"] = action == STAFF_REPLY_ACTION
            entries.append({**entry, "time": _time(event)})
    slots = {
        name: slot_value(name, value)
        for name, value in (tracker.get("slots") or {}).items()
        if value is not None and name not in HIDDEN_SLOTS
    }
    form = (tracker.get("active_loop") or {}).get("name")
    return {"entries": entries, "slots": slots, "form": form, "paused": bool(tracker.get("paused"))}
