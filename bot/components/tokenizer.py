"""Rasa's JiebaTokenizer, fed by the policy glossary, and fingerprinted by its content."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List, Optional, Text

import jieba
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.tokenizers.jieba_tokenizer import JiebaTokenizer
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.components.glossary_source import DEFAULT_GLOSSARY, file_fingerprint, read_glossary
from policy_kb.glossary import jieba_dictionary
from policy_kb.text import to_simplified

DICTIONARY_FILE = "policy_dictionary.txt"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=True)
class PolicyJiebaTokenizer(JiebaTokenizer):
    """Segments with the policy vocabulary (集体户, 搭户 …) and reads traditional characters.

    The user dictionary is built from ``glossary_path`` at training time and stored inside the
    model, so a served model never depends on the files in the working tree.
    """

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {**JiebaTokenizer.get_default_config(), "glossary_path": DEFAULT_GLOSSARY}

    @classmethod
    def fingerprint_addon(cls, config: Dict[str, Any]) -> Optional[str]:
        return file_fingerprint(config.get("glossary_path") or DEFAULT_GLOSSARY)

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> PolicyJiebaTokenizer:
        tokenizer = cls(config, model_storage, resource)
        tokenizer._dictionary = jieba_dictionary(read_glossary(config["glossary_path"]))
        _add_words(tokenizer._dictionary)
        return tokenizer

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> PolicyJiebaTokenizer:
        tokenizer = cls(config, model_storage, resource)
        with model_storage.read_from(resource) as directory:
            tokenizer._dictionary = (Path(directory) / DICTIONARY_FILE).read_text(encoding="utf-8")
        _add_words(tokenizer._dictionary)
        return tokenizer

    def train(self, training_data: TrainingData) -> Resource:
        self.persist()
        return self._resource

    def persist(self) -> None:
        with self._model_storage.write_to(self._resource) as directory:
            (Path(directory) / DICTIONARY_FILE).write_text(self._dictionary, encoding="utf-8")

    def tokenize(self, message: Message, attribute: Text) -> List[Token]:
        text = message.get(attribute)
        simplified = to_simplified(text)
        # Offsets must index the original text; OpenCC maps characters one to one for t2s
        # in practice, and where it does not we keep the original characters.
        source = simplified if len(simplified) == len(text) else text
        tokens = [Token(word, start) for word, start, _ in jieba.tokenize(source)]
        return self._apply_token_pattern(tokens)


def _add_words(dictionary: str) -> None:
    for line in dictionary.splitlines():
        word, _, frequency = line.rpartition(" ")
        if word:
            jieba.add_word(word, freq=int(frequency))
