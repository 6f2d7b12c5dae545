"""``rasa`` as bot/serve.py starts it, with one change: a tracker store failure is an error.

Rasa wraps every tracker store in ``FailSafeTrackerStore``, which on a database error logs one
line and carries on with an empty in-memory tracker: the resident's form, slots and history are
silently gone, and whatever they say next is lost when the process ends. Here the wrapper raises
instead (after an alert log line), so the channel guard answers "系统繁忙" with the hotline and
nothing is stored anywhere but the real database.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa.core import agent
from rasa.core.tracker_store import FailSafeTrackerStore, TrackerStore

logger = logging.getLogger(__name__)


class TrackerStoreUnavailable(RuntimeError):
    """The conversation database cannot be read or written."""


def _alert(error: Exception) -> None:
    # "告警" is what the operators' log alerting matches on; the error text names the database.
    logger.error("告警：对话库不可用，消息未处理（不会改用内存存储）：%s", error)
    raise TrackerStoreUnavailable(str(error)) from error


class AlertingTrackerStore(FailSafeTrackerStore):
    """Rasa's wrapper with the fall-back to memory replaced by an alert and an error."""

    def __init__(self, tracker_store: TrackerStore, *args: Any, **kwargs: Any) -> None:
        super().__init__(tracker_store, on_tracker_store_error=_alert)


def main() -> None:
    agent.FailSafeTrackerStore = AlertingTrackerStore  # the one place Rasa 3.6 wraps the store
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    main()
