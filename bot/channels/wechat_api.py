"""WeChat's customer-service message API, for answers that miss the 5-second passive reply.

Async (aiohttp), so a slow WeChat API never blocks Rasa's event loop. The access token is
fetched once and cached until shortly before it expires; one lock keeps concurrent senders from
fetching it twice (each fetch invalidates the previous token after a few minutes). With several
Rasa instances, give them one shared token service instead: WeChat allows 2,000 fetches a day.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import Any, Dict, Optional, Protocol

import aiohttp

from bot.channels.wechat_protocol import Clock

logger = logging.getLogger(__name__)

API_BASE = "https://api.weixin.qq.com"
TOKEN_MARGIN_SECONDS = 300  # refresh this long before WeChat says the token expires
TOKEN_INVALID = (40001, 40014, 42001)  # invalid, malformed or expired access token
OUTSIDE_WINDOW = 45015  # the resident has not written in the last 48 hours
REQUEST_TIMEOUT = aiohttp.ClientTimeout(total=10)


class CustomerServiceError(RuntimeError):
    """WeChat refused a customer-service message (errcode kept; the content is never included)."""

    def __init__(self, errcode: int):
        super().__init__(f"WeChat errcode {errcode}")
        self.errcode = errcode


class MessageSender(Protocol):
    """What the channel needs for delayed answers; tests pass a fake."""

    async def send_text(self, openid: str, content: str) -> None: ...

    async def close(self) -> None: ...


class CustomerServiceSender:
    """Sends text through ``/cgi-bin/message/custom/send`` with a cached access token."""

    def __init__(self, app_id: str, app_secret: str, api_base: str = API_BASE, clock: Clock = time.monotonic):
        self._app_id, self._app_secret, self._api_base, self._clock = app_id, app_secret, api_base, clock
        self._token: Optional[str] = None
        self._expires = 0.0
        self._lock: Optional[asyncio.Lock] = None
        self._session: Optional[aiohttp.ClientSession] = None

    async def send_text(self, openid: str, content: str) -> None:
        """Send ``content`` to ``openid``; refreshes the token once if WeChat says it is stale."""
        # ensure_ascii=False: WeChat shows \\uXXXX escapes literally instead of the Chinese text.
        body = json.dumps({"touser": openid, "msgtype": "text", "text": {"content": content}}, ensure_ascii=False)
        for attempt in range(2):
            token = await self._access_token(refresh=attempt > 0)
            result = await self._request(
                "POST", "/cgi-bin/message/custom/send", {"access_token": token}, data=body.encode("utf-8")
            )
            errcode = int(result.get("errcode") or 0)
            if errcode == 0:
                return
            if errcode not in TOKEN_INVALID:
                break
        raise CustomerServiceError(errcode)

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def _access_token(self, refresh: bool = False) -> str:
        if self._lock is None:
            self._lock = asyncio.Lock()  # created here so it belongs to the running loop
        async with self._lock:
            if refresh or self._token is None or self._clock() >= self._expires:
                params = {"grant_type": "client_credential", "appid": self._app_id, "secret": self._app_secret}
                result = await self._request("GET", "/cgi-bin/token", params)
                if not result.get("access_token"):
                    raise CustomerServiceError(int(result.get("errcode") or -1))
                self._token = str(result["access_token"])
                lifetime = int(result.get("expires_in") or 7200)
                self._expires = self._clock() + max(lifetime - TOKEN_MARGIN_SECONDS, 60)
            return self._token

    async def _request(self, method: str, path: str, params: Dict[str, str], data: bytes = None) -> Dict[str, Any]:
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=REQUEST_TIMEOUT)
        headers = {"Content-Type": "application/json; charset=utf-8"} if data is not None else None
        async with self._session.request(
            method, self._api_base + path, params=params, data=data, headers=headers
        ) as response:
            # WeChat answers JSON with a text/plain content type, so do not let aiohttp check it.
            return await response.json(content_type=None)
