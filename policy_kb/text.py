"""Resident text clean-up and Chinese tokenisation shared by search, NLU components and channels."""

from __future__ import annotations

import os
import re
import unicodedata
from functools import lru_cache
from typing import FrozenSet, Iterable, List, Optional, Set, Tuple

import jieba
import opencc

# Longest message we pass on to the NLU pipeline; residents' real questions are far shorter,
# and an unbounded text would let one request tie up a CPU core.
MAX_MESSAGE_CHARS = 500
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff]")
# Full-width letters and digits too: residents type ＳＧ２０２６１１０００１ from a receipt.
_MEANINGFUL = re.compile(r"[\u3400-\u9fff\uf900-\ufaffA-Za-z0-9\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]")
_PUNCT_OR_SPACE = re.compile(r"^[\s\W_]+$")


@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def clean_message(text: str) -> str:
    """Strip control and zero-width characters and collapse whitespace."""
    text = _CONTROL.sub(" ", text)
    return re.sub(r"\s+", " ", text).strip()


def has_meaning(text: str) -> bool:
    """True when the text has at least one Chinese character, letter or digit (not emoji only)."""
    return bool(_MEANINGFUL.search(text))


def to_simplified(text: str) -> str:
    """Traditional → simplified Chinese, so 落戶 and 落户 look the same to every model."""
    return _t2s().convert(text)


@lru_cache(maxsize=4096)
def normalise(text: str) -> str:
    """Form used for matching: simplified, NFKC width-folded, lower case. Cached: the same keyword
    and glossary forms are normalised on every message (opencc's convert is the cost)."""
    return unicodedata.normalize("NFKC", to_simplified(text)).lower()


# Chinese asks yes/no by "A不A": "会唔会", "有没有", "入唔入得户", "落不落得了户".
_A_NOT_A = re.compile(r"(\w)(?:唔|不|没|冇)\1(?:得了|得)?")


def asks_a_not_a(text: str) -> bool:
    """The text (normalised) asks an "A不A" question ("算不算", "会唔会")."""
    return bool(_A_NOT_A.search(text))


def without_a_not_a(text: str) -> str:
    """``text`` (normalised) without its A-not-A questions: "退伍军人落户有没有优待" answers no "没有"."""
    return _A_NOT_A.sub(" ", text)


def plain_phrases(text: str) -> str:
    """``text`` (normalised) with every A-not-A question collapsed to its verb, so that a term is
    found in it: "入唔入得户" → "入户"."""
    return _A_NOT_A.sub(r"\1", text)


# Forms this long are words in their own right wherever they occur; shorter ones ("入户") can be the
# tail of one word and the head of the next ("低收入户").
WHOLE_WORD_CHARS = 3


@lru_cache(maxsize=1)
def _everyday_jieba() -> jieba.Tokenizer:
    """jieba with its own dictionary only (none of the policy words): where everyday words end."""
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    return tokenizer


def is_dictionary_word(word: str) -> bool:
    """A word of jieba's everyday dictionary (入户 is one; the misspelling 入护 is not)."""
    return bool(_everyday_jieba().FREQ.get(word))


@lru_cache(maxsize=4096)
def word_boundaries(text: str) -> FrozenSet[int]:
    """Offsets of ``text`` at which jieba's everyday dictionary starts or ends a word."""
    cuts, position = {0}, 0
    for word in _everyday_jieba().lcut(text, HMM=False):
        position += len(word)
        cuts.add(position)
    return frozenset(cuts)


def word_spans(text: str, form: str, cuts: Optional[Set[int]] = None) -> List[Tuple[int, int]]:
    """Where ``form`` occurs in ``text`` (both normalised) as a word: a short form must start and end
    where everyday words do, so "中低收入户" holds no 入户 and "可以入户" does. ``cuts``: the text's
    word boundaries when the caller already has them (one segmentation for many forms)."""
    spans, start = [], text.find(form)
    # a misspelling no dictionary knows ("入护", "落护") is no everyday word's tail or head: only
    # forms that are words themselves can hide in other words ("低收入户")
    whole = len(form) >= WHOLE_WORD_CHARS or not is_dictionary_word(form)
    while form and start != -1:
        end = start + len(form)
        if whole or {start, end} <= (word_boundaries(text) if cuts is None else cuts):
            spans.append((start, end))
        start = text.find(form, start + 1)
    return spans


# A place name jieba's dictionary tags ``ns`` and that ends in an administrative unit: "鹿城区",
# "巩义市", "宜章县" (the places.yml list names provinces and prefecture cities only; counties and
# districts are too many to keep by hand). Forms of the unit itself ("自治县") are no place.
_ADMINISTRATIVE_PLACE = re.compile(r"[\u4e00-\u9fff]{2,}[区县市州省]")
_UNIT_ONLY = ("自治县", "自治州", "自治区")
# "外省市", "本市", "全省": which place is meant is not said.
_NO_PLACE_PREFIX = tuple("外本该全各某")


@lru_cache(maxsize=1)
def _county_level_places() -> FrozenSet[str]:
    path = os.path.join(os.path.dirname(jieba.__file__), "dict.txt")
    with open(path, encoding="utf-8") as handle:
        rows = (line.split() for line in handle)
        return frozenset(
            row[0]
            for row in rows
            if len(row) == 3
            and row[2] == "ns"
            and _ADMINISTRATIVE_PLACE.fullmatch(row[0])
            and row[0] not in _UNIT_ONLY
            and not row[0].startswith(_NO_PLACE_PREFIX)
        )


def administrative_places(text: str) -> List[str]:
    """County-level and larger place names in ``text`` (normalised) as words: "北仑区", "瑞安市"."""
    return [word for word in _everyday_jieba().lcut(text, HMM=False) if word in _county_level_places()]


class Segmenter:
    """A private jieba tokenizer that knows the policy vocabulary.

    A private ``jieba.Tokenizer`` keeps our words out of jieba's global dictionary, which Rasa's
    JiebaTokenizer also uses.
    """

    def __init__(self, words: Iterable[str] = (), synonyms: dict | None = None):
        self._jieba = jieba.Tokenizer()
        self._jieba.initialize()
        for word in words:
            self._jieba.add_word(word, freq=2000)
        self._synonyms = synonyms or {}

    def tokens(self, text: str) -> List[str]:
        """Search tokens: jieba words and character bigrams, synonyms folded to their term."""
        text = normalise(text)
        words = [w for w in self._jieba.lcut_for_search(text) if not _PUNCT_OR_SPACE.match(w)]
        words = [self._synonyms.get(w, w) for w in words]
        chars = [c for c in text if _MEANINGFUL.match(c)]
        bigrams = ["".join(pair) for pair in zip(chars, chars[1:], strict=False)]
        return words + bigrams
