"""Entity extraction for places, housing, relations, education and policy terms, with spaCy.

A blank Chinese spaCy pipeline with a PhraseMatcher over the glossary: every surface form
(浈江, 租屋, 老婆 …) is found, whatever the tokenizer made of the sentence, and reported with its
canonical value (浈江区, 租赁住房, 配偶). No pretrained model is needed or loaded.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, List, Optional, Text, Tuple

import spacy
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from spacy.matcher import PhraseMatcher
from spacy.util import filter_spans

from bot.components.glossary_source import DEFAULT_GLOSSARY, file_fingerprint, read_glossary
from policy_kb.text import normalise

PATTERNS_FILE = "patterns.json"
# Glossary terms without an entity type are reported as this entity.
POLICY_TERM = "policy_term"
Pattern = Tuple[str, str, str]  # (surface form, entity, canonical value)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=True)
class PolicyTermExtractor(GraphComponent, EntityExtractorMixin):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"glossary_path": DEFAULT_GLOSSARY}

    @classmethod
    def fingerprint_addon(cls, config: Dict[str, Any]) -> Optional[str]:
        return file_fingerprint(config.get("glossary_path") or DEFAULT_GLOSSARY)

    @staticmethod
    def required_packages() -> List[Text]:
        return ["spacy"]

    def __init__(self, patterns: List[Pattern], model_storage: ModelStorage, resource: Resource):
        self._patterns = patterns
        self._model_storage = model_storage
        self._resource = resource
        # Character segmentation: matches never depend on where jieba puts word boundaries.
        self._nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "char"}}})
        self._matcher = PhraseMatcher(self._nlp.vocab)
        for form, entity, value in patterns:
            self._matcher.add(f"{entity}|{value}", [self._nlp.make_doc(normalise(form))])

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> PolicyTermExtractor:
        terms = read_glossary(config["glossary_path"])
        patterns = [(form, t.entity or POLICY_TERM, t.term) for t in terms for form in t.surface_forms]
        return cls(patterns, model_storage, resource)

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> PolicyTermExtractor:
        with model_storage.read_from(resource) as directory:
            patterns = json.loads((Path(directory) / PATTERNS_FILE).read_text(encoding="utf-8"))
        return cls([tuple(p) for p in patterns], model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        with self._model_storage.write_to(self._resource) as directory:
            (Path(directory) / PATTERNS_FILE).write_text(
                json.dumps(self._patterns, ensure_ascii=False), encoding="utf-8"
            )
        return self._resource

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            found = self.extract(message.get(TEXT) or "")
            message.set(ENTITIES, message.get(ENTITIES, []) + self.add_extractor_name(found), add_to_output=True)
        return messages

    def extract(self, text: str) -> List[Dict[str, Any]]:
        """Entities in ``text``, longest match first where matches overlap."""
        folded = normalise(text)
        if len(folded) != len(text):  # keep offsets valid for the original text
            folded = text
        doc = self._nlp.make_doc(folded)
        matches = {(start, end): self._nlp.vocab.strings[key] for key, start, end in self._matcher(doc)}
        kept = filter_spans([doc[start:end] for start, end in matches])
        return [self._entity(span, matches[(span.start, span.end)]) for span in kept]

    @staticmethod
    def _entity(span: Any, label: str) -> Dict[str, Any]:
        entity, value = label.split("|", 1)
        return {"entity": entity, "value": value, "start": span.start_char, "end": span.end_char}
