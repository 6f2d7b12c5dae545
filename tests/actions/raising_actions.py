"""The project's actions plus one with a bug that quotes the resident (tests/test_log_privacy.py).

Served with ``python -m actions.server --actions tests.actions.raising_actions``: rasa-sdk
registers every Action subclass imported, so the real actions are served beside this one.
"""

import importlib
import pkgutil

from rasa_sdk import Action

import actions

for _module in pkgutil.iter_modules(actions.__path__):
    importlib.import_module(f"actions.{_module.name}")


class ActionQuoteAndRaise(Action):
    """A bug of the worst kind: its exception message is what the resident typed."""

    def name(self):
        return "action_quote_and_raise"

    async def run(self, dispatcher, tracker, domain):
        dispatcher.utter_message(text="这一句不会发出")
        raise ValueError(f"cannot handle {tracker.latest_message.get('text')!r} from {tracker.get_slot('applicant')}")
