"""Does the spaCy glossary matcher earn its place? Compare it with Rasa's lookup-table
RegexEntityExtractor (+ EntitySynonymMapper) on every annotated training example.

Gold: the entity annotations in data/nlu (value after synonym mapping). Printed per entity type.
"""

from __future__ import annotations

import tempfile
from collections import Counter
from pathlib import Path
from typing import Dict, List, Set, Tuple

from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.extractors.entity_synonyms import EntitySynonymMapper
from rasa.nlu.extractors.regex_entity_extractor import RegexEntityExtractor
from rasa.shared.importers.importer import TrainingDataImporter
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.components.policy_terms import PolicyTermExtractor
from tests.stack import REPO

TYPES = ("district", "housing_type", "relation", "education", "other_city")
Found = Set[Tuple[str, str]]


def _gold(training_data) -> List[Tuple[str, Found]]:
    examples = []
    for message in training_data.intent_examples:
        gold = {(e["entity"], e["value"]) for e in message.get(ENTITIES, []) if e["entity"] in TYPES}
        examples.append((message.get(TEXT), gold))
    return examples


def _spacy(storage, texts: List[str]) -> List[Found]:
    config = {"glossary_path": str(REPO / "policy_kb" / "data" / "glossary.yml")}
    extractor = PolicyTermExtractor.create(config, storage, Resource("terms"), None)
    return [{(e["entity"], e["value"]) for e in extractor.extract(t) if e["entity"] in TYPES} for t in texts]


def _lookup_tables(storage, training_data, texts: List[str]) -> List[Found]:
    config = {
        **RegexEntityExtractor.get_default_config(),
        "use_lookup_tables": True,
        "use_regexes": False,
        "use_word_boundaries": False,
    }
    regex = RegexEntityExtractor.create(config, storage, Resource("regex"), None)
    regex.train(training_data)
    synonyms = EntitySynonymMapper.create(EntitySynonymMapper.get_default_config(), storage, Resource("syn"), None)
    synonyms.train(training_data)
    messages = synonyms.process(regex.process([Message({TEXT: t}) for t in texts]))
    return [{(e["entity"], e["value"]) for e in m.get(ENTITIES, []) if e["entity"] in TYPES} for m in messages]


def _scores(gold: List[Found], predicted: List[Found]) -> Dict[str, Tuple[float, float, float, int]]:
    tp, fp, fn = Counter(), Counter(), Counter()
    for g, p in zip(gold, predicted, strict=False):
        for entity, _ in p & g:
            tp[entity] += 1
        for entity, _ in p - g:
            fp[entity] += 1
        for entity, _ in g - p:
            fn[entity] += 1
    result = {}
    for entity in TYPES:
        precision = tp[entity] / ((tp[entity] + fp[entity]) or 1)
        recall = tp[entity] / ((tp[entity] + fn[entity]) or 1)
        f1 = 2 * precision * recall / ((precision + recall) or 1)
        result[entity] = (precision, recall, f1, tp[entity] + fn[entity])
    return result


def compare() -> Dict[str, Dict[str, Tuple[float, float, float, int]]]:
    importer = TrainingDataImporter.load_from_config(
        str(REPO / "config.yml"), str(REPO / "bot" / "domain"), [str(REPO / "data" / "nlu")]
    )
    training_data = importer.get_nlu_data()
    examples = _gold(training_data)
    texts, gold = [t for t, _ in examples], [g for _, g in examples]
    with tempfile.TemporaryDirectory() as tmp:
        storage = LocalModelStorage(Path(tmp))
        return {
            "spacy_glossary_matcher": _scores(gold, _spacy(storage, texts)),
            "rasa_lookup_tables": _scores(gold, _lookup_tables(storage, training_data, texts)),
        }


def print_comparison(results) -> None:
    print(
        f"\n实体抽取对比（训练数据中的标注为准）\n{'extractor':24} {'entity':13} {'P':>6} {'R':>6} {'F1':>6} {'n':>4}"
    )
    for name, rows in results.items():
        for entity, (p, r, f1, n) in rows.items():
            print(f"{name:24} {entity:13} {p:6.3f} {r:6.3f} {f1:6.3f} {n:4}")


if __name__ == "__main__":
    print_comparison(compare())
