"""Exclusive wall-clock time per stage of a message, by wrapping the functions that do the work.

Stages nest (the NLU graph inside ``parse_message``, a database query inside an action); each
moment is charged to the innermost stage open at that moment, so the stages add up to the whole.
This holds only while one message is processed at a time, which is how bench.profile runs.
"""

from __future__ import annotations

import functools
import inspect
import time
from collections import defaultdict
from typing import Callable, Dict, List, Union

Label = Union[str, Callable[..., str]]


class Stages:
    def __init__(self) -> None:
        self.seconds: Dict[str, float] = defaultdict(float)
        self.calls: Dict[str, int] = defaultdict(int)
        self.missing: List[str] = []
        self._open: List[str] = []
        self._mark = 0.0
        self.enabled = True

    def reset(self) -> None:
        self.seconds.clear()
        self.calls.clear()

    def inside(self, word: str) -> bool:
        return any(word in stage for stage in self._open)

    def _enter(self, stage: str) -> None:
        now = time.perf_counter()
        if self._open:
            self.seconds[self._open[-1]] += now - self._mark
        self._open.append(stage)
        self.calls[stage] += 1
        self._mark = now

    def _leave(self) -> None:
        now = time.perf_counter()
        self.seconds[self._open.pop()] += now - self._mark
        self._mark = now

    def wrap(self, owner: object, attr: str, label: Label) -> None:
        """Charge calls of ``owner.attr`` to ``label`` (a name, or a function of the call's arguments)."""
        original = getattr(owner, attr, None)
        if original is None:
            self.missing.append(f"{getattr(owner, '__name__', owner)}.{attr}")
            return
        name = (lambda *_a, **_k: label) if isinstance(label, str) else label
        stages = self

        if inspect.iscoroutinefunction(original):

            @functools.wraps(original)
            async def wrapper(*args, **kwargs):
                if not stages.enabled:
                    return await original(*args, **kwargs)
                stages._enter(name(*args, **kwargs))
                try:
                    return await original(*args, **kwargs)
                finally:
                    stages._leave()

        else:

            @functools.wraps(original)
            def wrapper(*args, **kwargs):
                if not stages.enabled:
                    return original(*args, **kwargs)
                stages._enter(name(*args, **kwargs))
                try:
                    return original(*args, **kwargs)
                finally:
                    stages._leave()

        setattr(owner, attr, wrapper)

    def table(self, messages: int) -> List[dict]:
        """Stages by time spent, with the mean per message and the share of the total."""
        total = sum(self.seconds.values()) or 1.0
        rows = [
            {
                "stage": stage,
                "calls": self.calls[stage],
                "total_ms": round(seconds * 1000, 1),
                "mean_ms": round(seconds * 1000 / max(messages, 1), 2),
                "share": round(seconds / total, 4),
            }
            for stage, seconds in self.seconds.items()
        ]
        return sorted(rows, key=lambda row: row["total_ms"], reverse=True)
