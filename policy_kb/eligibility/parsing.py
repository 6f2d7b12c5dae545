"""Free Chinese answers to one eligibility question → the field's value, from the YAML word lists.

"租紧屋" → rented, "有房产证" → owned, "唔知" → unknown, "冇买楼，租紧" → rented (a negated word is
not taken at face value). Traditional characters and full-width forms are folded first.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import List, Optional, Tuple

from policy_kb.eligibility.model import UNKNOWN, EligibilityRules
from policy_kb.eligibility.rules import load_rules
from policy_kb.text import clean_message, normalise


@dataclass(frozen=True)
class _Match:
    start: int
    end: int
    value: str
    negator_start: Optional[int]  # where a negator right before the word starts, if any


def _negator_start(text: str, start: int, negators: Tuple[str, ...]) -> Optional[int]:
    found = [len(n) for n in negators if n and text.endswith(n, 0, start)]
    return start - max(found) if found else None


def _matches(text: str, vocabulary: List[Tuple[str, str]], negators: Tuple[str, ...]) -> List[_Match]:
    matches = []
    for value, word in vocabulary:
        at = text.find(word)
        while word and at >= 0:
            matches.append(_Match(at, at + len(word), value, _negator_start(text, at, negators)))
            at = text.find(word, at + 1)
    return matches


def _inside(match: _Match, spans: List[Tuple[int, int]]) -> bool:
    return any(lo <= match.start and match.end <= hi for lo, hi in spans)


def _choose(matches: List[_Match], negated_value: Optional[str]) -> Optional[str]:
    """The longest plain mention wins; a tie between two answers is no answer, unless one of them
    is "don't know". A word that only negates another ("没有" in "没有中级证") is not an answer."""
    negations = [(m.negator_start, m.start) for m in matches if m.negator_start is not None]
    plain = [m for m in matches if m.negator_start is None and not _inside(m, negations)]
    if not plain:
        return negated_value if negations else None
    longest = max(m.end - m.start for m in plain)
    values = {m.value for m in plain if m.end - m.start == longest}
    if UNKNOWN in values:  # "唔知算唔算市区": the resident says they do not know
        return UNKNOWN
    return values.pop() if len(values) == 1 else None


def parse_answer(field_id: str, text: str, rules: Optional[EligibilityRules] = None) -> Optional[str]:
    """The value a free answer gives for ``field_id`` ("租紧屋" → "rented", "唔知" → "unknown"),
    or ``None`` when the text does not say (ask again with the buttons)."""
    rules = rules or load_rules()
    spec = rules.fields[field_id]
    text = normalise(clean_message(text or ""))
    if not text:
        return None
    for option in spec.options:  # a tapped button or its value sent back as text
        if text in (normalise(option.title), option.value.lower()):
            return option.value
    if text in spec.values:
        return text
    vocabulary = [(v, w) for v, words in spec.words.items() for w in words]
    vocabulary += [(UNKNOWN, w) for w in rules.unknown_words]
    return _choose(_matches(text, vocabulary, rules.negators), spec.negated)
