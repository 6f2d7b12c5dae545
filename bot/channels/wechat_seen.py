"""What the WeChat channel has already seen: signed (timestamp, nonce) pairs and pushed messages.

A signed WeChat request stays valid for the whole replay window (``REPLAY_WINDOW_SECONDS`` either
side of now), so a request copied from a proxy log could otherwise be sent again. Each pair is
accepted once; the second request with it is a replay. Pushes are claimed once per
(FromUserName, MsgId), so WeChat's retries never start a second turn, whichever Rasa instance they
reach.

``first_use`` records a key and says whether it was new, in one atomic step:

- ``RedisSeen``: the Redis the Rasa instances share (deploy/, ``SOCKETIO_REDIS_URL``), ``SET NX EX``;
- ``SqliteSeen``: one Rasa process (make run); a file, so a restarted Rasa still knows what it saw;
- ``MemorySeen``: tests.

Keys are hashed before they are stored: an openid never reaches Redis or the file. The file's one
table is made by its migrations (migrations/wechat_seen/) when the channel opens it.
"""

from __future__ import annotations

import asyncio
import hashlib
import sqlite3
import time
from pathlib import Path
from typing import Optional, Protocol

from sqlalchemy import REAL, Column, MetaData, Table, Text, create_engine

from bot.channels.wechat_protocol import Clock, TTLCache
from platform_core import schema
from platform_core.paths import VAR

DEFAULT_SQLITE_PATH = VAR / "wechat_seen.db"
KEY_PREFIX = "shaoguan-hukou:wechat-seen:"
MEMORY_ENTRIES = 100_000  # a bound on the process, far above WeChat's push rate over the window

# The file's table as its migrations build it (the drift test holds them to this); used through sqlite3.
# nullable: SQLite lets a non-integer PRIMARY KEY column hold NULL unless it says NOT NULL (none is stored).
METADATA = MetaData()
SEEN = Table(
    "seen", METADATA, Column("key", Text, primary_key=True, nullable=True), Column("expires", REAL, nullable=False)
)


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


class SeenStore(Protocol):
    async def first_use(self, key: str, ttl_seconds: float) -> bool:
        """Record ``key`` for ``ttl_seconds``; True if it was not recorded already."""

    async def close(self) -> None:
        """Release connections."""


class MemorySeen:
    """In this process only (tests; never for several Rasa instances)."""

    def __init__(self, clock: Clock = time.monotonic):
        self._clock = clock
        self._keys: TTLCache[str, float] = TTLCache(MEMORY_ENTRIES, float("inf"), clock)

    async def first_use(self, key: str, ttl_seconds: float) -> bool:
        now, digest = self._clock(), _digest(key)
        expires = self._keys.get(digest)
        if expires is not None and expires > now:
            return False
        self._keys.put(digest, now + ttl_seconds)
        return True

    async def close(self) -> None:
        pass


class SqliteSeen:
    """A SQLite file for one Rasa process: survives a restart by the launcher's supervisor."""

    def __init__(self, path: Path = DEFAULT_SQLITE_PATH, clock: Clock = time.time):
        self._path, self._clock = Path(path), clock
        self._path.parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(f"sqlite:///{self._path}", future=True, hide_parameters=True)
        try:
            schema.prepare(engine, "wechat_seen")
        finally:
            engine.dispose()

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self._path, timeout=5, isolation_level=None)

    def _first_use(self, digest: str, ttl_seconds: float) -> bool:
        now = self._clock()
        db = self._connect()
        try:
            db.execute("BEGIN IMMEDIATE")  # one writer at a time: two requests cannot both be first
            db.execute("DELETE FROM seen WHERE expires <= ?", (now,))
            inserted = db.execute(
                "INSERT OR IGNORE INTO seen (key, expires) VALUES (?, ?)", (digest, now + ttl_seconds)
            ).rowcount
            db.execute("COMMIT")
            return inserted == 1
        finally:
            db.close()

    async def first_use(self, key: str, ttl_seconds: float) -> bool:
        return await asyncio.to_thread(self._first_use, _digest(key), ttl_seconds)

    async def close(self) -> None:
        pass


class RedisSeen:
    """The Redis every Rasa instance of a deployment shares: a replay refused by one is refused by all."""

    def __init__(self, url: str):
        from redis import asyncio as redis_asyncio  # only the scaled profile needs it

        # A Redis that does not answer must not hold WeChat past its 5 s.
        self._redis = redis_asyncio.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)

    async def first_use(self, key: str, ttl_seconds: float) -> bool:
        created = await self._redis.set(KEY_PREFIX + _digest(key), b"1", nx=True, px=max(1, int(ttl_seconds * 1000)))
        return bool(created)

    async def close(self) -> None:
        await self._redis.close()


def seen_store(redis_url: Optional[str], sqlite_path: Path = DEFAULT_SQLITE_PATH) -> SeenStore:
    """The shared Redis when the deployment has one (several Rasa instances), else a SQLite file."""
    return RedisSeen(redis_url) if redis_url else SqliteSeen(sqlite_path)
