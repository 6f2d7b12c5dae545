"""The real ``actions`` package with a fault switch, for the action servers of the fault drills.

rasa_sdk registers every ``Action`` subclass it can see, so importing the real modules here gives
the action server exactly the production actions. Each one's ``run`` is wrapped: while the file
named by ``CHAOS_RAISE_FILE`` lists the action's name, the action raises instead, with an error
message as careless as real ones can be (the resident's latest message and its metadata), so a
drill can check that nothing the resident typed reaches a log even on an error path.
"""

from __future__ import annotations

import functools
import importlib
import os
import pkgutil
from pathlib import Path

from rasa_sdk import Action

import actions


class InjectedFault(RuntimeError):
    """Raised by an action the drill asked to fail."""


def _failing_now(name: str) -> bool:
    switch = os.environ.get("CHAOS_RAISE_FILE")
    return bool(switch) and Path(switch).exists() and name in Path(switch).read_text().split()


def _wrap(cls: type) -> None:
    original = cls.run

    @functools.wraps(original)
    async def run(self, dispatcher, tracker, domain):
        if _failing_now(self.name()):
            raise InjectedFault(
                f"injected failure in {self.name()}; latest message {tracker.latest_message.get('text')!r}, "
                f"metadata {tracker.latest_message.get('metadata')!r}, slots {tracker.current_slot_values()!r}"
            )
        return await original(self, dispatcher, tracker, domain)

    cls.run = run


for _module in pkgutil.walk_packages(actions.__path__, actions.__name__ + "."):
    importlib.import_module(_module.name)


def _subclasses(base: type):
    for sub in base.__subclasses__():
        yield sub
        yield from _subclasses(sub)


# Inherited run methods too (form validation actions take theirs from rasa_sdk).
for _cls in {cls for cls in _subclasses(Action) if cls.__module__.startswith("actions.")}:
    _wrap(_cls)
