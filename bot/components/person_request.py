"""A request for a person must name one: the classifier's request_human is kept only then.

The step-by-step check's answers ("暂时没有，还在找房") carry no intent of their own, and "找" pulls
them towards request_human ("找真人", "找个工作人员"): a handoff rule would then end the check and queue
the resident for staff who were never asked for. Placed after the intent classifier and before the
FallbackClassifier, this drops request_human from a typed message that names no person (人工, 真人,
客服 …; the ``person_words`` of config.yml); the next intent takes its place, and the fallback then
judges its confidence as usual. The 转人工 button's payload (/request_human) is never touched.
"""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from policy_kb.text import normalise

REQUEST_HUMAN = "request_human"


def names_a_person(text: str, words: List[str]) -> bool:
    said = normalise(text)
    return any(normalise(word) in said for word in words)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class PersonRequestFilter(GraphComponent):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"person_words": []}

    def __init__(self, person_words: List[str]):
        self._words = [str(w) for w in person_words]

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> PersonRequestFilter:
        return cls(config.get("person_words") or [])

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            self._filter(message)
        return messages

    def _filter(self, message: Message) -> None:
        intent = message.get(INTENT) or {}
        text = message.get(TEXT) or ""
        if intent.get("name") != REQUEST_HUMAN or text.startswith("/") or names_a_person(text, self._words):
            return
        ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") != REQUEST_HUMAN]
        if not ranking:
            return
        message.set(INTENT, dict(ranking[0]), add_to_output=True)
        message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
