"""A small in-process stand-in for the four Rasa HTTP API calls the console makes.

Only for the console's own unit tests (the client, the routes): it records every request as it
arrived (raw path, query, body) and keeps a tracker per conversation the way Rasa does for these
events (pause/resume flip ``paused``, slot events set slots, the two console actions add a bot
message). The end-to-end test (tests/e2e/test_console.py) talks to the real Rasa.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

from aiohttp import web
from aiohttp.test_utils import TestServer


@dataclass
class Seen:
    method: str
    raw_path: str
    query: Dict[str, str]
    body: Any


@dataclass
class FakeTracker:
    events: List[Dict[str, Any]] = field(default_factory=list)
    slots: Dict[str, Any] = field(default_factory=dict)
    paused: bool = False
    active_loop: Optional[str] = None

    def state(self, conversation_id: str) -> Dict[str, Any]:
        return {
            "sender_id": conversation_id,
            "events": list(self.events),
            "slots": dict(self.slots),
            "paused": self.paused,
            "active_loop": {"name": self.active_loop} if self.active_loop else {},
            "latest_input_channel": "rest",
        }


class FakeRasa:
    def __init__(self, token: str = "fake-rasa-token"):
        self.token = token
        self.seen: List[Seen] = []
        self.trackers: Dict[str, FakeTracker] = {}
        self.delay = 0.0  # seconds before answering (timeout tests)
        self.server: Optional[TestServer] = None

    @property
    def url(self) -> str:
        assert self.server is not None
        return str(self.server.make_url("")).rstrip("/")

    async def start(self) -> "FakeRasa":
        app = web.Application()
        app.router.add_get("/conversations/{id:.+}/tracker", self._tracker)
        app.router.add_post("/conversations/{id:.+}/tracker/events", self._events)
        app.router.add_post("/conversations/{id:.+}/execute", self._execute)
        self.server = TestServer(app)
        await self.server.start_server()
        return self

    async def close(self) -> None:
        if self.server is not None:
            await self.server.close()

    def tracker(self, conversation_id: str) -> FakeTracker:
        return self.trackers.setdefault(conversation_id, FakeTracker())

    def say(self, conversation_id: str, user_text: str, intent: str, confidence: float, bot_text: str) -> None:
        """Add one resident message (as parsed) and the assistant's reply to a conversation."""
        now = time.time()
        self.tracker(conversation_id).events += [
            {
                "event": "user",
                "timestamp": now,
                "text": user_text,
                "input_channel": "rest",
                "parse_data": {"intent": {"name": intent, "confidence": confidence}, "entities": []},
            },
            {"event": "bot", "timestamp": now, "text": bot_text, "data": {}},
        ]

    async def _seen(self, request: web.Request) -> Optional[web.Response]:
        body = await request.json() if request.can_read_body else None
        self.seen.append(Seen(request.method, request.rel_url.raw_path, dict(request.query), body))
        if self.delay:
            await asyncio.sleep(self.delay)
        if request.query.get("token") != self.token:
            return web.json_response({"status": "failure", "reason": "NotAuthenticated"}, status=401)
        return None

    async def _tracker(self, request: web.Request) -> web.Response:
        refused = await self._seen(request)
        conversation_id = request.match_info["id"]
        if refused is not None:
            return refused
        return web.json_response(self.tracker(conversation_id).state(conversation_id))

    async def _events(self, request: web.Request) -> web.Response:
        refused = await self._seen(request)
        if refused is not None:  # a Response is a (here empty) mapping: falsy
            return refused
        conversation_id = request.match_info["id"]
        tracker = self.tracker(conversation_id)
        for event in self.seen[-1].body:
            if event["event"] in ("pause", "resume"):
                tracker.paused = event["event"] == "pause"
            elif event["event"] == "slot":
                tracker.slots[event["name"]] = event["value"]
            tracker.events.append({**event, "timestamp": time.time()})
        return web.json_response(tracker.state(conversation_id))

    async def _execute(self, request: web.Request) -> web.Response:
        refused = await self._seen(request)
        if refused is not None:  # a Response is a (here empty) mapping: falsy
            return refused
        conversation_id = request.match_info["id"]
        tracker, action = self.tracker(conversation_id), self.seen[-1].body["name"]
        if action == "action_staff_reply":
            text = f"【工作人员】{tracker.slots.get('staff_reply')}"
            tracker.slots["staff_reply"] = None
        elif action == "action_handback":
            text = "人工服务已结束，感谢您的耐心。"
        else:
            return web.json_response({"status": "failure", "reason": "ConversationError"}, status=500)
        # As Rasa logs it: the action first, then the events it returned.
        tracker.events.append({"event": "action", "name": action, "timestamp": time.time()})
        tracker.events.append({"event": "bot", "timestamp": time.time(), "text": text, "data": {}})
        return web.json_response({"tracker": tracker.state(conversation_id), "messages": [{"text": text}]})
