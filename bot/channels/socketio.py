"""Rasa's socketio channel (used by the web chat page), with the resident guard around it and the
conversation bound to the socket.

Rasa's own handlers take the conversation id from the client at every step: ``session_request``
joins whatever room the client names, and every ``user_uttered`` names its conversation again. Here
the server issues the id (bot.channels.conversation_ids), adopts a requested one only if it issued
it, remembers it for the socket, and files every message of that socket under it, whatever id the
message claims.

Why replies with session persistence survive python-socketio >= 5.10 here (RasaHQ/rasa#13027):
since 5.10 ``AsyncServer.enter_room``/``leave_room`` are coroutines. Rasa 3.6's ``session_request``
calls ``sio.enter_room(sid, session_id)`` without ``await``, so the socket never joins the
conversation's room and every reply, emitted to that room, reaches nobody. Our ``session_request``
replaces Rasa's and awaits both.

With several Rasa instances (deploy/), ``redis_url`` puts python-socketio's Redis client manager
under the server: a reply emitted by any instance (say, a hotline agent's, through the HTTP API of
whichever instance the console reached) is delivered by the instance that holds the socket. Since
5.14 that manager speaks JSON only (CVE-2025-61765 was ``pickle`` on this channel).

CVE-2026-48804: a client may announce a packet with any number of binary attachments and send them
one by one. 5.16.2 accepts binary packets only from a socket connected to the namespace, but every
visitor of the page connects, so that alone does not bound it here. The web page never sends binary
packets: a socket that starts one is disconnected before anything is kept. Each engine.io message
is capped at ``MAX_MESSAGE_BYTES`` (1 MB by default).
"""

from __future__ import annotations

import logging
from typing import Any, Awaitable, Callable, Dict, Optional
from urllib.parse import urlsplit

import socketio
from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.channels.socketio import SocketIOInput, SocketIOOutput
from sanic import Blueprint

from bot.channels.conversation_ids import is_issued_web_session, issue_web_session
from bot.channels.guard import client_address, guarded, with_client

logger = logging.getLogger(__name__)
Handler = Callable[[UserMessage], Awaitable[Any]]
# A resident's message is at most a few KB of JSON (500 characters, escaped); polling batches a few.
MAX_MESSAGE_BYTES = 64 * 1024
# Socket.IO packet types the page never sends: BINARY_EVENT (5) and BINARY_ACK (6).
BINARY_PACKET_TYPES = ("5", "6")


def pubsub_channel(redis_url: str) -> str:
    """The Redis channel the instances share. Pub/sub ignores database numbers, so the number is in
    the name: two deployments on one Redis server (with their own databases) never hear each other."""
    database = urlsplit(redis_url).path.strip("/") or "0"
    return f"shaoguan-hukou-socketio-db{database}"


class ResidentSocketIOInput(SocketIOInput):
    @classmethod
    def name(cls) -> str:
        return "socketio"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[str, Any]]) -> InputChannel:
        credentials = dict(credentials or {})
        redis_url = credentials.pop("redis_url", None) or None  # "" (embedded mode): this process only
        channel = super().from_credentials(credentials)
        channel.redis_url = redis_url
        return channel

    def __init__(self, *args: Any, redis_url: Optional[str] = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.redis_url = redis_url

    def blueprint(self, on_new_message: Handler) -> Blueprint:
        on_new_message = guarded(on_new_message)
        blueprint = super().blueprint(on_new_message)
        if self.redis_url:
            # Swapped before any socket connects: the server initialises its manager on the first one.
            self.sio.manager = socketio.AsyncRedisManager(self.redis_url, channel=pubsub_channel(self.redis_url))
            self.sio.manager.set_server(self.sio)
        self.sio.eio.max_http_buffer_size = MAX_MESSAGE_BYTES
        self.sio.eio.on("message", self._without_binary_packets(self.sio._handle_eio_message))
        # Registering an event again replaces Rasa's handler for it.
        self.sio.on("session_request", self._session_request, namespace=self.namespace)
        self.sio.on(self.user_message_evt, self._message_handler(on_new_message), namespace=self.namespace)
        return blueprint

    def _without_binary_packets(self, handle: Callable[[str, Any], Awaitable[None]]) -> Callable:
        """The engine.io message handler, disconnecting a socket that sends a binary packet or
        attachment (CVE-2026-48804) before python-socketio keeps any of it."""

        async def handle_message(eio_sid: str, data: Any) -> None:
            if isinstance(data, (bytes, bytearray)) or (isinstance(data, str) and data[:1] in BINARY_PACKET_TYPES):
                logger.warning("网页聊天连接发送了二进制数据包，已断开")
                await self.sio.eio.disconnect(eio_sid)
                return
            await handle(eio_sid, data)

        return handle_message

    async def _session_request(self, sid: str, data: Any) -> None:
        requested = data.get("session_id") if isinstance(data, dict) else None
        session_id = requested if is_issued_web_session(requested) else issue_web_session()
        previous = await self._conversation_of(sid)
        if previous and previous != session_id:  # a second request on one socket: one room at a time
            await self.sio.leave_room(sid, previous, namespace=self.namespace)
        await self.sio.save_session(sid, {"conversation_id": session_id}, namespace=self.namespace)
        # Replies go to the conversation's room: every socket of this conversation hears them. Awaited:
        # a coroutine since python-socketio 5.10, and Rasa's handler forgets to (RasaHQ/rasa#13027).
        await self.sio.enter_room(sid, session_id, namespace=self.namespace)
        await self.sio.emit("session_confirm", session_id, room=sid, namespace=self.namespace)

    def _message_handler(self, on_new_message: Handler) -> Callable[[str, Any], Awaitable[None]]:
        async def handle_message(sid: str, data: Any) -> None:
            conversation_id = await self._conversation_of(sid)
            if conversation_id is None or not isinstance(data, dict):
                # The page always asks for a session first and sends an object; nobody else to answer.
                logger.warning("忽略网页聊天消息：连接尚未取得会话编号，或消息格式不对")
                return
            if data.get("session_id") not in (None, conversation_id):
                logger.warning("网页聊天消息自带的会话编号与连接不符，按连接的会话处理")
            metadata = data.get(self.metadata_key)
            message = UserMessage(
                data.get("message", ""),
                SocketIOOutput(self.sio, self.bot_message_evt),
                conversation_id,
                input_channel=self.name(),
                metadata=with_client(metadata if isinstance(metadata, dict) else None, self._address_of(sid)),
            )
            await on_new_message(message)

        return handle_message

    def _address_of(self, sid: str) -> Optional[str]:
        """The address the socket connected from (the request python-engineio keeps for it)."""
        try:
            environ = self.sio.get_environ(sid, namespace=self.namespace) or {}
        except KeyError:
            return None
        return client_address(environ.get("sanic.request"))

    async def _conversation_of(self, sid: str) -> Optional[str]:
        try:
            session = await self.sio.get_session(sid, namespace=self.namespace)
        except KeyError:  # the socket disconnected meanwhile
            return None
        return session.get("conversation_id")
