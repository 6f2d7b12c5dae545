"""The custom NLU components, on the real glossary, without training a model."""

import shutil

import pytest
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.components.policy_terms import PolicyTermExtractor
from bot.components.tokenizer import PolicyJiebaTokenizer
from tests.conftest import REPO

GLOSSARY = str(REPO / "policy_kb" / "data" / "glossary.yml")


@pytest.fixture
def storage(tmp_path):
    (tmp_path / "storage").mkdir()
    return LocalModelStorage(tmp_path / "storage")


def test_fingerprint_changes_when_glossary_is_edited_in_place(tmp_path):
    copy = tmp_path / "glossary.yml"
    shutil.copy(GLOSSARY, copy)
    before = PolicyJiebaTokenizer.fingerprint_addon({"glossary_path": str(copy)})
    copy.write_text(copy.read_text(encoding="utf-8") + "  - term: 新词条\n", encoding="utf-8")
    assert PolicyJiebaTokenizer.fingerprint_addon({"glossary_path": str(copy)}) != before
    assert PolicyTermExtractor.fingerprint_addon({"glossary_path": str(copy)}) != before


def test_tokenizer_keeps_policy_terms_whole_and_reads_traditional(storage):
    config = {**PolicyJiebaTokenizer.get_default_config(), "glossary_path": GLOSSARY}
    tokenizer = PolicyJiebaTokenizer.create(config, storage, Resource("tok"), None)
    words = [t.text for t in tokenizer.tokenize(Message({TEXT: "我想搭戶入集體戶"}), TEXT)]
    assert "搭户" in words and "集体户" in words


def test_tokenizer_survives_persist_and_load(storage):
    config = {**PolicyJiebaTokenizer.get_default_config(), "glossary_path": GLOSSARY}
    trained = PolicyJiebaTokenizer.create(config, storage, Resource("tok"), None)
    trained.train(None)
    loaded = PolicyJiebaTokenizer.load({**config, "glossary_path": "/nonexistent"}, storage, Resource("tok"), None)
    assert loaded._dictionary == trained._dictionary


def _extract(text, storage):
    extractor = PolicyTermExtractor.create({"glossary_path": GLOSSARY}, storage, Resource("terms"), None)
    return {(e["entity"], e["value"]) for e in extractor.extract(text)}


def test_extractor_maps_colloquial_forms_to_canonical_values(storage):
    found = _extract("我喺乳源租屋，老婆想投靠我", storage)
    assert {("district", "乳源瑶族自治县"), ("housing_type", "租赁住房"), ("relation", "配偶")} <= found


def test_extractor_reads_traditional_characters_with_valid_offsets(storage):
    extractor = PolicyTermExtractor.create({"glossary_path": GLOSSARY}, storage, Resource("terms"), None)
    text = "湞江區嘅集體戶"
    entities = extractor.extract(text)
    assert {(e["entity"], e["value"]) for e in entities} >= {("district", "浈江区"), ("policy_term", "集体户")}
    assert all(0 <= e["start"] < e["end"] <= len(text) for e in entities)


def test_extractor_prefers_the_longest_match(storage):
    assert ("district", "乳源瑶族自治县") in _extract("乳源瑶族自治县", storage)
    assert len([1 for entity, _ in _extract("乳源瑶族自治县", storage) if entity == "district"]) == 1


def test_extractor_survives_persist_and_load(storage):
    created = PolicyTermExtractor.create({"glossary_path": GLOSSARY}, storage, Resource("terms"), None)
    created.train(None)
    loaded = PolicyTermExtractor.load({"glossary_path": "/nonexistent"}, storage, Resource("terms"), None)
    assert loaded.extract("去深圳") == created.extract("去深圳")


def _person_filter():
    from pathlib import Path

    import yaml

    from bot.components.person_request import PersonRequestFilter

    step = next(
        s for s in yaml.safe_load(Path(REPO / "config.yml").read_text())["pipeline"] if "PersonRequest" in s["name"]
    )
    return PersonRequestFilter.create(step, None, Resource("person"), None)


def _classified(text, ranking):
    from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY

    ranked = [{"name": n, "confidence": c} for n, c in ranking]
    message = Message({TEXT: text, INTENT: dict(ranked[0]), INTENT_RANKING_KEY: ranked})
    _person_filter().process([message])
    return message.get(INTENT)["name"]


@pytest.mark.parametrize("said", ["暂时没有，还在找房", "還沒有，在找房子"])
def test_an_answer_that_names_no_person_is_no_request_for_one(said):
    assert _classified(said, [("request_human", 0.53), ("faq_social_security", 0.09)]) == "faq_social_security"


@pytest.mark.parametrize("said", ["找个工作人员", "联系客服", "我要和人说话", "/request_human"])
def test_a_request_that_names_a_person_stays_one(said):
    assert _classified(said, [("request_human", 0.9), ("greet", 0.05)]) == "request_human"
