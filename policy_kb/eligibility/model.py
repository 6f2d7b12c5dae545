"""Typed records for the eligibility check: the questions, the rules and their conditions."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple, Union

UNKNOWN = "unknown"  # the resident was asked and does not know
DISTRICT_FIELD = "district"  # where to apply; never a condition


@dataclass(frozen=True)
class Option:
    title: str
    value: str


@dataclass(frozen=True)
class AgeRule:
    """A child word with an age under ``under`` means ``value`` ("我个女今年五岁" → minor_child)."""

    words: Tuple[str, ...]
    under: int
    value: str


@dataclass(frozen=True)
class ProfileField:
    id: str
    question: str
    options: Tuple[Option, ...]
    words: Dict[str, Tuple[str, ...]]  # value → residents' words for it, normalised
    negated: Optional[str] = None  # what a negated mention means: "没有中级证" → "no"
    # what it means when two or more answers are denied and nothing else is said ("没买房也没租房" → none)
    negated_alone: Optional[str] = None
    prefer: Optional[str] = None  # wins over the other values when both are named ("马坝镇附近的村")
    tie_break: Optional[str] = None  # wins a tie between equally long words ("大专毕业，在小学当老师")
    ages: Optional[AgeRule] = None
    mentions: Tuple[str, ...] = ()  # said anywhere, these words make the question worth asking
    mention_years: Optional[int] = None  # so does "做了十二年" from this many years up
    ignore_elsewhere: bool = False  # clauses about the home village or land ("老家有地") do not answer it
    # read from the clause that names this other field's answer, when one does: where the home is
    # ("屋企喺始兴农村，喺县城买咗楼" is a home in 县城), not where the family comes from
    near: Optional[str] = None

    @property
    def values(self) -> Tuple[str, ...]:
        return tuple(self.words)

    def buttons(self) -> List[Dict[str, str]]:
        return [{"title": o.title, "value": o.value} for o in self.options]


@dataclass(frozen=True)
class Leaf:
    """One answer test: ``field`` is one of ``accepted``."""

    field: str
    accepted: Tuple[str, ...]
    not_met: str = ""
    not_met_for: Dict[str, str] = field(default_factory=dict)
    silent: Dict[str, str] = field(default_factory=dict)  # answers the document does not address
    unsure: str = ""


@dataclass(frozen=True)
class Group:
    mode: str  # "all" or "any"
    children: Tuple["Condition", ...]
    not_met: str = ""


Condition = Union[Leaf, Group]


@dataclass(frozen=True)
class Detail:
    when: Condition
    text: str


@dataclass(frozen=True)
class Rule:
    id: str
    article: str
    title: str
    when: Condition
    reason: str
    unsure: str
    details: Tuple[Detail, ...] = ()
    materials: str = ""  # key in operator.yml materials_notes
    operator_note: str = ""  # key in operator.yml eligibility_notes


@dataclass(frozen=True)
class Note:
    id: str
    article: str
    when: Condition
    text: str


@dataclass(frozen=True)
class Fallback:
    id: str
    article: str
    title: str
    text: str


@dataclass(frozen=True)
class EligibilityRules:
    fields: Dict[str, ProfileField]  # in file order
    rules: Tuple[Rule, ...]  # in asking order
    notes: Tuple[Note, ...]
    fallback: Fallback
    verdict: Dict[str, str]
    unknown_words: Tuple[str, ...]
    negators: Tuple[str, ...]
    self_words: Tuple[str, ...] = ()  # a message before the check that uses them speaks of the resident
    elsewhere_words: Tuple[str, ...] = ()  # the home village or rural land, not where the resident lives
    in_passing_skip: Dict[str, Tuple[str, ...]] = field(default_factory=dict)  # too vague when said in passing

    def rule(self, rule_id: str) -> Rule:
        return next(rule for rule in self.rules if rule.id == rule_id)


def leaves(condition: Condition) -> List[Leaf]:
    """Every answer test in a condition, in order."""
    if isinstance(condition, Leaf):
        return [condition]
    return [leaf for child in condition.children for leaf in leaves(child)]
