"""Search and text clean-up."""

import pytest

from policy_kb.glossary import jieba_dictionary, rasa_nlu_yaml, synonym_map
from policy_kb.text import clean_message, has_meaning, normalise, word_spans
from tests.conftest import REPO


def test_search_finds_the_renting_entry(index):
    assert index.search("租屋可唔可以落户", k=1)[0].faq.id == "settle_rent"


def test_search_reads_traditional_characters(index):
    assert index.search("租屋可以落戶嗎", k=1)[0].faq.id == "settle_rent"


def test_search_without_any_known_word_returns_nothing(index):
    assert index.search("🙂🙂🙂") == []


def test_clean_message_strips_control_and_zero_width_characters():
    assert clean_message("租房\x00落户\u200b吗\x1b\n\n ") == "租房 落户 吗"


def test_has_meaning_rejects_emoji_and_punctuation_only():
    assert not has_meaning("🙂🙂！！")
    assert has_meaning("落户?") and has_meaning("ok")
    assert has_meaning("ＳＧ２０２６１１０００１　１２３４５６")  # full width, as copied from a receipt


def test_normalise_folds_traditional_and_full_width():
    assert normalise("落戶ＡＢＣ") == "落户abc"


def test_glossary_feeds_jieba_and_synonyms(kb):
    dictionary = jieba_dictionary(kb.glossary)
    assert "集体户 " in dictionary and "搭户 " in dictionary
    synonyms = synonym_map(kb.glossary)
    assert synonyms["租屋"] == "租赁住房" and synonyms["乳源"] == "乳源瑶族自治县"


def test_generated_nlu_file_is_in_sync_with_glossary(kb):
    generated = (REPO / "data" / "nlu" / "glossary.yml").read_text(encoding="utf-8")
    assert generated == rasa_nlu_yaml(kb.glossary), "请运行 make generate"


@pytest.mark.parametrize(
    "text, form, found",
    [
        ("中低收入户就学补助如何申请", "入户", False),  # 收入|户: no 入户 in it
        ("可唔可以入户", "入户", True),
        ("租房能落户吗", "落户", True),
        ("户口迁过来", "迁过来", True),  # three characters: a word wherever it is
    ],
)
def test_a_short_form_counts_only_as_a_word_of_its_own(text, form, found):
    assert bool(word_spans(normalise(text), normalise(form))) is found
