"""The console as the web process serves it (web.server.make_app, mounted at /staff), on a test
server, with staff accounts in the per-test console DB (tests/conftest.py sets CONSOLE_DB_URL).

pytest-aiohttp is not installed: each test runs its scenario with asyncio.run, using aiohttp's
own TestServer/TestClient.
"""

from __future__ import annotations

import asyncio
from contextlib import asynccontextmanager
from typing import Any, AsyncIterator, Optional

import pytest
from aiohttp.test_utils import TestClient, TestServer

from console.accounts import ADMIN, COMMS, HOTLINE, REVIEWER, save_user
from platform_core.settings import ConsoleSettings
from tests.console.fake_rasa import FakeRasa
from web.server import make_app

PASSWORD = "correct-horse-battery"
USERS = {
    "hotline1": HOTLINE,
    "hotline2": HOTLINE,
    "comms1": COMMS,
    "comms2": COMMS,
    "reviewer1": REVIEWER,
    "admin1": ADMIN,
}


@pytest.fixture(autouse=True)
def private_answers(data_copy, tmp_path, monkeypatch):
    """The answers library edits and publishes a copy of policy_kb/data, never the real one."""
    monkeypatch.setenv("FAQ_SOURCE_DIR", str(data_copy))
    monkeypatch.setenv("KB_PUBLISH_DIR", str(tmp_path / "kb"))
    return data_copy


@pytest.fixture
def users():
    for username, role in USERS.items():
        save_user(username, role, PASSWORD)
    return USERS


class Console:
    """A browser-like client: keeps the session cookie, sends Origin and the CSRF token."""

    def __init__(self, client: TestClient, rasa: FakeRasa):
        self.client, self.rasa = client, rasa
        self.origin = f"http://{client.server.host}:{client.server.port}"
        self.csrf: Optional[str] = None

    async def login(self, username: str, password: str = PASSWORD, **headers: str):
        response = await self.client.post(
            "/staff/login",
            data={"username": username, "password": password},
            headers={"Origin": self.origin, **headers},
            allow_redirects=False,
        )
        if response.status == 303:
            me = await self.client.get("/staff/api/me")
            if me.status == 200:  # not when the cookie is Secure and this is plain http
                self.csrf = (await me.json())["csrf_token"]
        return response

    async def get(self, path: str, **kwargs: Any):
        return await self.client.get(path, allow_redirects=False, **kwargs)

    async def post(
        self,
        path: str,
        body: Any = None,
        *,
        csrf: Optional[str] = "",
        origin: Optional[str] = "",
        headers: Optional[dict] = None,
    ):
        """POST JSON. ``csrf``/``origin``: "" = the right one, None = leave the header out."""
        sent = dict(headers or {})
        if csrf is not None:
            sent["X-CSRF-Token"] = csrf or self.csrf or ""
        if origin is not None:
            sent["Origin"] = origin or self.origin
        return await self.client.post(path, json={} if body is None else body, headers=sent, allow_redirects=False)


@asynccontextmanager
async def console(tmp_path, **settings: Any) -> AsyncIterator[Console]:
    """The web app with a fake Rasa behind the console; ``settings`` override ConsoleSettings."""
    rasa = await FakeRasa().start()
    settings = ConsoleSettings(**{"rasa_api_url": rasa.url, "rasa_api_token": rasa.token, **settings})
    app = make_app(tmp_path / "no-webchat-build", rasa_port=5005, console=settings)
    try:
        async with TestClient(TestServer(app)) as client:
            yield Console(client, rasa)
    finally:
        await rasa.close()


def run(coroutine):
    return asyncio.run(coroutine)
