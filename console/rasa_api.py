"""The console's client for Rasa's HTTP API (Rasa started with --enable-api and a token).

Four operations, nothing else: read a conversation, pause it for a person, send that person's
reply through the resident's own channel, and give the conversation back to the assistant.
Every failure becomes a :class:`RasaUnavailable` with a Chinese message a hotline agent can act
on; the token never appears in a message or a log line.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Dict, List, Optional
from urllib.parse import quote

import aiohttp
from yarl import URL

logger = logging.getLogger(__name__)

TIMEOUT = aiohttp.ClientTimeout(total=15, connect=5)
# Running an action calls the action server, which may itself wait on a database.
EXECUTE_TIMEOUT = aiohttp.ClientTimeout(total=30, connect=5)
STAFF_REPLY_SLOT = "staff_reply"
STAFF_REPLY_ACTION = "action_staff_reply"
HANDBACK_ACTION = "action_handback"


class RasaUnavailable(RuntimeError):
    """Rasa could not do what the console asked; ``str()`` is a Chinese message for staff."""


def _message_for_status(status: int) -> str:
    if status in (401, 403):
        return "助手服务拒绝了控制台的访问：RASA_API_TOKEN 与 Rasa 的 --auth-token 不一致，请联系管理员。"
    if status == 404:
        return "助手服务没有开放接口（Rasa 需以 --enable-api 启动），或没有这个动作，请联系管理员。"
    return f"助手服务处理请求时出错（HTTP {status}），请稍后再试；居民可拨打热线。"


class RasaClient:
    def __init__(
        self,
        base_url: str,
        token: str = "",
        *,
        timeout: aiohttp.ClientTimeout = TIMEOUT,
        execute_timeout: aiohttp.ClientTimeout = EXECUTE_TIMEOUT,
    ):
        self._base = base_url.rstrip("/")
        self._token = token
        self._timeout, self._execute_timeout = timeout, execute_timeout
        self._session: Optional[aiohttp.ClientSession] = None

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _url(self, conversation_id: str, tail: str) -> URL:
        # encoded=True: sent exactly as quoted here, so "/" in an id stays %2F (one path segment).
        return URL(f"{self._base}/conversations/{quote(conversation_id, safe='')}/{tail}", encoded=True)

    async def _request(
        self,
        method: str,
        url: URL,
        *,
        params: Optional[Dict[str, str]] = None,
        json: Any = None,
        timeout: Optional[aiohttp.ClientTimeout] = None,
    ) -> Dict[str, Any]:
        if self._session is None:
            self._session = aiohttp.ClientSession()
        query = dict(params or {})
        if self._token:
            query["token"] = self._token
        try:
            async with self._session.request(
                method, url, params=query, json=json, timeout=timeout or self._timeout
            ) as response:
                if response.status >= 400:
                    # The status only: the body may echo what a resident wrote.
                    logger.warning("Rasa 接口返回 HTTP %s（%s）", response.status, method)
                    raise RasaUnavailable(_message_for_status(response.status))
                return await response.json(content_type=None)
        except asyncio.TimeoutError:  # before ClientConnectionError: aiohttp's read timeout is both
            logger.warning("Rasa 接口超时（%s）", method)
            raise RasaUnavailable("助手服务响应超时，请稍后再试。") from None
        except aiohttp.ClientConnectionError as error:
            logger.warning("无法连接 Rasa 接口：%s", type(error).__name__)
            raise RasaUnavailable("无法连接助手服务（Rasa），请稍后再试或联系管理员；居民可拨打热线。") from None
        except (aiohttp.ContentTypeError, ValueError):
            raise RasaUnavailable("助手服务返回了无法识别的内容，请联系管理员。") from None

    async def _append(self, conversation_id: str, events: List[Dict[str, Any]]) -> None:
        await self._request("POST", self._url(conversation_id, "tracker/events"), json=events)

    async def _execute(self, conversation_id: str, action: str) -> Dict[str, Any]:
        return await self._request(
            "POST",
            self._url(conversation_id, "execute"),
            params={"output_channel": "latest"},
            json={"name": action},
            timeout=self._execute_timeout,
        )

    async def transcript(self, conversation_id: str) -> Dict[str, Any]:
        """The conversation's tracker (events since the last restart, current slots, paused)."""
        return await self._request(
            "GET", self._url(conversation_id, "tracker"), params={"include_events": "AFTER_RESTART"}
        )

    async def take_over(self, conversation_id: str) -> None:
        """Pause the assistant: the resident's messages are recorded but no longer answered."""
        await self._append(conversation_id, [{"event": "pause"}])

    async def reply(self, conversation_id: str, text: str) -> Dict[str, Any]:
        """Send a staff member's text to the resident through the channel they last wrote on."""
        await self._append(conversation_id, [{"event": "slot", "name": STAFF_REPLY_SLOT, "value": text}])
        return await self._execute(conversation_id, STAFF_REPLY_ACTION)

    async def hand_back(self, conversation_id: str) -> Dict[str, Any]:
        """Resume the assistant and let it tell the resident it is back."""
        await self._append(conversation_id, [{"event": "resume"}])
        return await self._execute(conversation_id, HANDBACK_ACTION)
