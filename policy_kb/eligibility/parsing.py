"""Free Chinese answers to one eligibility question → the field's value, from the YAML word lists.

"租紧屋" → rented, "有房产证" → owned, "唔知" → unknown, "冇买楼，租紧" → rented (a negated word is
not taken at face value), "没有中级的，只有上岗证" → no (a negated "yes" word is a "no"),
"马坝镇附近嘅村" → village (the field's preferred value wins), "大专毕业，在小学当老师" → college
(a tie goes to the field's tie-break), "我个女今年五岁" → minor_child (an age).
Traditional characters and full-width forms are folded first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import List, Optional, Tuple

from policy_kb.eligibility.model import UNKNOWN, AgeRule, EligibilityRules, ProfileField
from policy_kb.eligibility.rules import load_rules
from policy_kb.text import clean_message, normalise

CLAUSE = re.compile(r"[，,。.；;！!？?、\s]+")
NUMBER = r"(\d{1,4}|[一二两三四五六七八九十廿]{1,3})"
NONE = "none"  # the answer that names nothing ("没有"): no clause is about the home by it
DIGITS = {c: n for n, c in enumerate("零一二三四五六七八九")} | {"两": 2}


@dataclass(frozen=True)
class _Match:
    start: int
    end: int
    value: str
    negator_start: Optional[int]  # where a negator right before the word starts, if any

    @property
    def length(self) -> int:
        return self.end - self.start


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


def number(token: str) -> int:
    """A number in digits or Chinese: "13" → 13, "十三" → 13, "二十" → 20, "两" → 2; a spoken range
    counts as its lower end: "六七" → 6, "十七八" → 17."""
    if token.isdigit():
        return int(token)
    token = token.replace("廿", "二十")
    tens, _, units = token.rpartition("十")
    if "十" not in token:
        return DIGITS.get(token[:1], 0)
    return (DIGITS.get(tens[-1:], 0) if tens else 1) * 10 + DIGITS.get(units[:1], 0)


def _age_matches(text: str, ages: Optional[AgeRule]) -> List[_Match]:
    """A child under the age limit ("我个仔，今年先13岁", "7岁的女儿"), as one long mention."""
    if ages is None or not ages.words:
        return []
    words = "|".join(map(re.escape, ages.words))
    patterns = (rf"(?:{words})[^。！？!?\n]{{0,6}}?{NUMBER}岁", rf"{NUMBER}岁(?:的|嘅)?(?:{words})")
    found = [m for pattern in patterns for m in re.finditer(pattern, text)]
    return [_Match(m.start(), m.end(), ages.value, None) for m in found if number(m.group(1)) < ages.under]


def _inside(match: _Match, spans: List[Tuple[int, int]]) -> bool:
    return any(lo <= match.start and match.end <= hi for lo, hi in spans)


def _nested(match: _Match, others: List[_Match]) -> bool:
    return any(o.length > match.length and o.start <= match.start and match.end <= o.end for o in others)


def _choose(matches: List[_Match], spec: ProfileField) -> Optional[str]:
    """The longest plain mention wins; a tie between two answers is no answer, unless one of them
    is "don't know". A word that only negates another ("没有" in "没有中级证") is not an answer; a
    negated mention of another answer counts for the field's negated value, but loses a tie."""
    negations = [(m.negator_start, m.start) for m in matches if m.negator_start is not None]
    plain = [m for m in matches if m.negator_start is None and not _inside(m, negations)]
    plain = [m for m in plain if not _nested(m, plain)]  # "城中村" is a town, not a village
    flipped = [m for m in matches if m.negator_start is not None and m.value not in (spec.negated, UNKNOWN)]
    if not plain:
        if spec.negated_alone and len({m.value for m in flipped}) >= 2:
            return spec.negated_alone  # "没买房也没租房": every way denied, not only one ("没有房产证")
        return spec.negated if negations else None
    longest = max(m.length for m in plain + (flipped if spec.negated else []))
    values = {m.value for m in plain if m.length == longest} or {spec.negated}
    if UNKNOWN in values:  # "唔知算唔算市区": the resident says they do not know
        return UNKNOWN
    if spec.prefer in {m.value for m in plain}:
        return spec.prefer
    if spec.tie_break in values:
        return spec.tie_break
    return values.pop() if len(values) == 1 else None


def _about_here(text: str, rules: EligibilityRules) -> str:
    """Drop clauses about the home village or rural land ("租房住，老家还有自建房"), unless that is all."""
    clauses = [c for c in CLAUSE.split(text) if c]
    kept = [c for c in clauses if not any(w in c for w in rules.elsewhere_words)]
    return "，".join(kept) if kept else text


def _near(text: str, other: ProfileField, rules: EligibilityRules) -> str:
    """The clauses that name an answer to ``other`` ("喺县城买咗楼"), if any and not all of them."""
    clauses = [c for c in CLAUSE.split(text) if c]
    words = [w for value, ws in other.words.items() if value not in (NONE, UNKNOWN) for w in ws]  # not "没有"
    kept = [c for c in clauses if _matches(c, [("", w) for w in words], rules.negators)]
    return "，".join(kept) if kept and len(kept) < len(clauses) else text


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
    if spec.ignore_elsewhere:
        text = _about_here(text, rules)
    if spec.near:
        text = _near(text, rules.fields[spec.near], rules)
    vocabulary = [(v, w) for v, words in spec.words.items() for w in words]
    vocabulary += [(UNKNOWN, w) for w in rules.unknown_words]
    return _choose(_matches(text, vocabulary, rules.negators) + _age_matches(text, spec.ages), spec)


def mentions(field_id: str, text: str, rules: EligibilityRules) -> bool:
    """Does the text bring up this question's subject ("在煤矿井下做咗十年" → hard_industry)?
    Not an answer: it only makes the question worth asking."""
    spec = rules.fields[field_id]
    text = normalise(clean_message(text or ""))
    found = _matches(text, [("", w) for w in spec.mentions], rules.negators)
    if any(m.negator_start is None for m in found):
        return True
    years = [number(m.group(1)) for m in re.finditer(NUMBER + "(?:多)?年", text)]
    return spec.mention_years is not None and any(spec.mention_years <= n < 100 for n in years)
