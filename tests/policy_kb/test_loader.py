"""Loading and validating the knowledge base, on the real files and on broken copies."""

import pytest
import yaml

from policy_kb.loader import KnowledgeBaseError, load_kb
from policy_kb.model import WECHAT_TEXT_LIMIT_BYTES

POLICY_INTENTS = {
    "faq_overview",
    "faq_settle_housing",
    "faq_collective_hukou",
    "faq_relatives",
    "faq_talent",
    "faq_unified_registration",
    "faq_residence_permit",
    "faq_info_platform",
    "faq_rural_land",
    "faq_education",
    "faq_social_security",
    "faq_health",
    "faq_housing_security",
    "faq_fiscal",
    "faq_leadership",
    "faq_goal",
    "faq_principles",
    "faq_policy_basis",
}
RESIDENT_FACING = ["三", "四", "五", "六", "七", "八", "十一", "十二", "十三", "十四", "十五", "十七"]


def _edit(path, change):
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def test_every_policy_intent_has_a_published_answer(kb):
    assert set(kb.faq_intents()) == POLICY_INTENTS


def test_every_resident_facing_article_is_cited_by_some_answer(kb):
    cited = {ref for faq in kb.published_faqs() for ref in faq.articles}
    assert set(RESIDENT_FACING) <= cited
    assert {"preamble", "一", "二", "九", "十六"} <= cited


def test_answers_fit_wechat_with_their_citation(kb):
    for faq in kb.published_faqs():
        full = faq.answer + "\n" + kb.citation(list(faq.articles))
        assert len(full.encode("utf-8")) <= WECHAT_TEXT_LIMIT_BYTES, faq.id


def test_citation_to_missing_article_is_refused(data_copy):
    _edit(data_copy / "faqs" / "settle.yml", lambda d: d["faqs"][1].update(articles=["十九"]))
    with pytest.raises(KnowledgeBaseError) as error:
        load_kb(data_copy)
    assert any("不存在的条款 “十九”" in p and "settle_rent" in p for p in error.value.problems)


def test_published_answer_without_citation_is_refused(data_copy):
    _edit(data_copy / "faqs" / "reform.yml", lambda d: d["faqs"][0].update(articles=[]))
    with pytest.raises(KnowledgeBaseError, match="必须引用至少一条条款"):
        load_kb(data_copy)


def test_draft_entries_are_not_served(data_copy):
    _edit(data_copy / "faqs" / "settle.yml", lambda d: d["faqs"][1].update(status="draft"))
    kb = load_kb(data_copy)
    assert "settle_rent" not in {f.id for f in kb.faqs_for_intent("faq_settle_housing")}


def test_duplicate_ids_and_broken_yaml_are_all_reported(data_copy):
    _edit(data_copy / "faqs" / "services.yml", lambda d: d["faqs"].append(dict(d["faqs"][0])))
    (data_copy / "glossary.yml").write_text("terms: [unclosed", encoding="utf-8")
    with pytest.raises(KnowledgeBaseError) as error:
        load_kb(data_copy)
    problems = "\n".join(error.value.problems)
    assert "重复" in problems and "glossary.yml：YAML 格式错误" in problems


def test_a_synonym_under_two_terms_is_refused(data_copy):
    def clash(data):
        data["terms"][0]["synonyms"] = list(data["terms"][0].get("synonyms") or []) + ["租屋"]

    _edit(data_copy / "glossary.yml", clash)
    with pytest.raises(KnowledgeBaseError, match="“租屋” 同时属于"):
        load_kb(data_copy)
