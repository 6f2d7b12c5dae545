"""A bounded asyncio load client for Rasa's REST channel, on loopback.

``concurrency`` simulated residents each play scripts back to back (one request in flight per
resident, the next message only after the reply, as a person would), every conversation under a
sender id of its own. The connection pool is capped at ``concurrency``, so the client never
opens more sockets than there are residents.

Two paces: with no ``think_s`` a resident sends the next message the moment a reply arrives (a
stress test: the server is saturated, and latency is queueing, by Little's law concurrency ÷
throughput). With ``think_s=(lo, hi)`` a resident reads and types for a random lo–hi seconds
before each message, as people do; residents arrive spread over the first pause, not all at once.
"""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Tuple

import aiohttp
import numpy as np

from bench.scripts import Script, check

REQUEST_TIMEOUT = 120
EXAMPLES_KEPT = 5


@dataclass
class LevelResult:
    concurrency: int
    think_s: Optional[Tuple[float, float]] = None
    latencies_ms: List[float] = field(default_factory=list)
    outcomes: Dict[str, int] = field(default_factory=lambda: {"ok": 0, "http_error": 0, "empty": 0, "wrong": 0})
    conversations: int = 0
    elapsed_s: float = 0.0
    examples: List[dict] = field(default_factory=list)  # the first few failures, for the report

    @property
    def messages(self) -> int:
        return len(self.latencies_ms)

    def summary(self) -> dict:
        """The figures that go into the report (latencies in ms, throughput in messages/s)."""
        lat = np.asarray(self.latencies_ms or [float("nan")])
        return {
            "concurrency": self.concurrency,
            "think_s": list(self.think_s) if self.think_s else None,
            "messages": self.messages,
            "conversations": self.conversations,
            "elapsed_s": round(self.elapsed_s, 2),
            "throughput_msg_s": round(self.messages / self.elapsed_s, 2) if self.elapsed_s else None,
            "latency_ms": {
                name: round(float(value), 1)
                for name, value in (
                    ("p50", np.percentile(lat, 50)),
                    ("p95", np.percentile(lat, 95)),
                    ("p99", np.percentile(lat, 99)),
                    ("mean", lat.mean()),
                    ("max", lat.max()),
                )
            },
            **{key: value for key, value in self.outcomes.items()},
            "failures": self.messages - self.outcomes["ok"],
            "examples": self.examples,
        }


def merged(parts: Sequence[LevelResult]) -> LevelResult:
    """One level measured in several rounds (interleaved with another server's) as one result:
    every message counts, throughput is messages over the rounds' summed wall time."""
    whole = LevelResult(parts[0].concurrency, parts[0].think_s)
    for part in parts:
        whole.latencies_ms += part.latencies_ms
        whole.conversations += part.conversations
        whole.elapsed_s += part.elapsed_s
        whole.examples += part.examples[: EXAMPLES_KEPT - len(whole.examples)]
        for outcome, count in part.outcomes.items():
            whole.outcomes[outcome] += count
    return whole


async def _post(session: aiohttp.ClientSession, url: str, sender: str, text: str):
    try:
        async with session.post(url, json={"sender": sender, "message": text}) as response:
            body = await response.json(content_type=None)
            return response.status, body
    except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as error:
        return 0, f"{type(error).__name__}: {error}"


async def _resident(session, url: str, scripts: Sequence[Script], number: int, result: LevelResult, plan) -> None:
    conversation = 0
    pause = random.Random(number)  # the same pauses in every run
    while plan.more_conversations(conversation):
        script = scripts[(number + conversation * result.concurrency) % len(scripts)]
        sender = f"{plan.prefix}-c{result.concurrency}-r{number}-{conversation}"
        result.conversations += 1
        for turn in script.turns:
            if plan.think_s:
                await asyncio.sleep(pause.uniform(*plan.think_s))  # reading the reply, typing the next
            if plan.expired():
                return
            started = time.perf_counter()
            status, body = await _post(session, url, sender, turn.text)
            result.latencies_ms.append((time.perf_counter() - started) * 1000)
            outcome, text = check(turn, status, body)
            result.outcomes[outcome] += 1
            if outcome != "ok" and len(result.examples) < EXAMPLES_KEPT:
                got = text or (body if isinstance(body, str) else f"HTTP {status}: {str(body)[:200]}")
                result.examples.append(
                    {
                        "script": script.name,
                        "message": turn.text,
                        "outcome": outcome,
                        "expected": list(turn.expect),
                        "got": got[:300],
                    }
                )
        conversation += 1


@dataclass
class _Plan:
    prefix: str
    duration_s: Optional[float]
    conversations_each: Optional[int]
    think_s: Optional[Tuple[float, float]] = None
    deadline: float = 0.0

    def expired(self) -> bool:
        return self.duration_s is not None and time.monotonic() >= self.deadline

    def more_conversations(self, done: int) -> bool:
        if self.conversations_each is not None and done >= self.conversations_each:
            return False
        return not self.expired()


async def run_level(
    url: str,
    scripts: Sequence[Script],
    concurrency: int,
    *,
    duration_s: Optional[float] = None,
    conversations_each: Optional[int] = None,
    think_s: Optional[Tuple[float, float]] = None,
    prefix: str = "bench",
) -> LevelResult:
    """Play ``scripts`` with ``concurrency`` residents for ``duration_s`` seconds (messages in
    flight at the deadline still finish and count) or ``conversations_each`` conversations each,
    pausing ``think_s`` = (lo, hi) seconds before each message if given."""
    if duration_s is None and conversations_each is None:
        raise ValueError("duration_s or conversations_each")
    if think_s is not None and not 0 <= think_s[0] <= think_s[1]:
        raise ValueError(f"think_s must be (lo, hi) with 0 <= lo <= hi, not {think_s}")
    result = LevelResult(concurrency, think_s)
    plan = _Plan(prefix, duration_s, conversations_each, think_s)
    connector = aiohttp.TCPConnector(limit=concurrency)
    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        started = time.monotonic()
        plan.deadline = started + (duration_s or 0)
        await asyncio.gather(*(_resident(session, url, scripts, n, result, plan) for n in range(concurrency)))
        result.elapsed_s = time.monotonic() - started
    return result
