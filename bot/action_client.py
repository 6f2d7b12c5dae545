"""The action server endpoint with its HTTP connections kept open between calls.

Rasa 3.6's ``EndpointConfig.request`` opens a new aiohttp session, and with it a new TCP
connection, for every custom action it runs, and closes both after the reply. A new connection is
a large part of a local round trip, much of it the action server's own CPU (Sanic accepting and
setting up the connection), and a message makes more than one call. Here the action endpoint keeps
one session per event loop, so calls reuse idle connections.

Idle connections are dropped after ``IDLE_S``, well before Sanic closes them (its keep-alive
timeout is 5 s): a request is never sent on a connection the server is closing at that moment.
A connection the server closed (restart, crash) is seen closed by the event loop and not reused.
"""

from __future__ import annotations

import asyncio
from typing import Any, Dict, Optional

import aiohttp
from rasa.utils import endpoints as rasa_endpoints
from rasa.utils.endpoints import EndpointConfig

IDLE_S = 2.0
ACTION_ENDPOINT = "action_endpoint"


class _Borrowed:
    """``async with`` for a shared session: hands it out, leaves it open afterwards."""

    def __init__(self, session: aiohttp.ClientSession) -> None:
        self._session = session

    async def __aenter__(self) -> aiohttp.ClientSession:
        return self._session

    async def __aexit__(self, *_exc: Any) -> None:
        return None


class KeepAliveEndpointConfig(EndpointConfig):
    """An ``EndpointConfig`` whose ``session()`` is one long-lived session per event loop."""

    def session(self) -> Any:  # Rasa only uses it as ``async with self.session() as session``
        loop = asyncio.get_running_loop()
        sessions: Dict[asyncio.AbstractEventLoop, aiohttp.ClientSession] = self.__dict__.setdefault("_sessions", {})
        session = sessions.get(loop)
        if session is None or session.closed:
            for other in [key for key in sessions if key.is_closed()]:
                del sessions[other]  # a finished loop's session cannot be used or closed any more
            session = sessions[loop] = self._new_session()
        return _Borrowed(session)

    def _new_session(self) -> aiohttp.ClientSession:
        auth = None
        if self.basic_auth:
            auth = aiohttp.BasicAuth(self.basic_auth["username"], self.basic_auth["password"])
        return aiohttp.ClientSession(
            headers=self.headers,
            auth=auth,
            timeout=aiohttp.ClientTimeout(total=rasa_endpoints.DEFAULT_REQUEST_TIMEOUT),
            connector=aiohttp.TCPConnector(keepalive_timeout=IDLE_S),
        )

    async def close(self) -> None:
        """Close the sessions (bench.profile, tests); a Rasa server's connections end with its process."""
        for session in self.__dict__.pop("_sessions", {}).values():
            await session.close()


def keep_alive(config: Optional[EndpointConfig]) -> Optional[EndpointConfig]:
    """The same endpoint settings as a ``KeepAliveEndpointConfig`` (None stays None)."""
    if config is None or isinstance(config, KeepAliveEndpointConfig):
        return config
    kept = KeepAliveEndpointConfig.__new__(KeepAliveEndpointConfig)
    kept.__dict__.update(config.__dict__)  # every setting as read, whatever Rasa's version adds
    return kept


_rasa_read_endpoint_config = rasa_endpoints.read_endpoint_config


def read_endpoint_config(filename: str, endpoint_type: str) -> Optional[EndpointConfig]:
    """Rasa's reader of endpoints.yml, with the action endpoint made a keep-alive one."""
    config = _rasa_read_endpoint_config(filename, endpoint_type)
    return keep_alive(config) if endpoint_type == ACTION_ENDPOINT else config
