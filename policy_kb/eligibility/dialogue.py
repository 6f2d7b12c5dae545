"""One turn of the step-by-step eligibility conversation, without Rasa.

The Rasa form keeps one slot per profile field (``elig_<field>``). Each turn this module reads
what the resident wrote — the answer to the question asked, facts volunteered in a first
message ("我本科毕业，在浈江区租房"), a correction ("说错了，是买的房") — and the engine says what
to ask next. The form validation action only turns the result into Rasa events.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, Optional

from policy_kb.eligibility.engine import evaluate
from policy_kb.eligibility.model import DISTRICT_FIELD, UNKNOWN, EligibilityRules
from policy_kb.eligibility.parsing import parse_answer
from policy_kb.text import normalise

SLOT_PREFIX = "elig_"
STOPPED_SLOT = "elig_stopped"
# Fields whose answers are names of things, safe to read from any sentence. Yes/no fields are
# read only as the answer to their own question: "有"/"是" occur in almost every sentence.
DESCRIPTIVE_FIELDS = ("housing", "housing_area", "family_join", "education", DISTRICT_FIELD)
# "唔系"/"不是" are not markers: they start ordinary "no" answers ("唔系，啱嚟冇耐").
CORRECTION_MARKERS = ("说错", "讲错", "搞错", "打错", "更正", "改成", "改为", "应该是", "其实是")
STOP_WORDS = ("算了", "算啦", "算咗", "退出", "唔问了", "不问了", "不用了", "取消", "唔使了", "唔使喇", "结束", "停止")
# One-word commands that are unambiguous on their own. The classifier's stop/restart intents are
# not trusted inside a form: on real answers ("算不上", "不是，刚来半年") they are false alarms.
SHORT_STOPS = ("停", "唔问", "不问", "stop")
# Land words: "乡下仲有宅基地" says where the land is, not where the resident lives.
LAND_WORDS = ("宅基地", "承包地", "责任田", "耕地", "分红", "老屋地", "田地")
# After this many answers that could not be read, the question is recorded as "不清楚".
MAX_UNCLEAR_ANSWERS = 2
RESTART_WORDS = ("重新开始", "从头", "由头", "重来", "重新判断", "重新问")
QUESTION_MARKERS = (
    "?",
    "吗",
    "呢",
    "有冇",
    "有没有",
    "可唔可以",
    "可不可以",
    "能不能",
    "能否",
    "点样",
    "怎么",
    "怎样",
    "如何",
    "乜嘢",
    "什么",
    "几多",
    "多少",
    "系唔系",
    "是不是",
    "要唔要",
    "要不要",
)
# A policy question asked mid-form is answered when the classifier is this sure of it.
INTERRUPTION_CONFIDENCE = 0.8


def slot_name(field_id: str) -> str:
    return f"{SLOT_PREFIX}{field_id}"


def profile_from_slots(slots: Dict[str, object], rules: EligibilityRules) -> Dict[str, str]:
    """The answers so far, by field id, from the form's slots.

    Only valid answers count: while the form validates, Rasa has already put the resident's raw
    text into the requested slot as a candidate ("说错了，系买咗楼").
    """
    profile = {}
    for field_id, spec in rules.fields.items():
        value = slots.get(slot_name(field_id))
        if value is not None and (value in spec.values or value == UNKNOWN):
            profile[field_id] = str(value)
    return profile


@dataclass
class Turn:
    """What one resident message did to the profile, and what happens next."""

    answers: Dict[str, str] = field(default_factory=dict)  # field id → value read this turn
    understood: bool = True  # False: the asked question got no usable answer
    corrected: bool = False  # an earlier answer was changed ("说错了，是买的房")
    interruption: bool = False  # a policy question instead of an answer: answer it, ask again
    gave_up: bool = False  # asked too often without a usable answer: recorded as unknown
    stop: bool = False
    restart: bool = False
    next_field: Optional[str] = None  # None once the engine has decided (or stop)


def _says(text: str, words) -> bool:
    folded = normalise(text)
    return any(word in folded for word in words)


def _option_value(rules: EligibilityRules, field_id: str, text: str) -> Optional[str]:
    """A tapped button sends its title: map it back exactly before any parsing."""
    for option in rules.fields[field_id].options:
        if text.strip() == option.title:
            return option.value
    return None


def read_answer(rules: EligibilityRules, field_id: str, text: str) -> Optional[str]:
    return _option_value(rules, field_id, text) or parse_answer(field_id, text, rules)


def volunteered(rules: EligibilityRules, text: str, skip: Optional[str] = None) -> Dict[str, str]:
    """Facts stated in passing, for descriptive fields only, never "unknown"."""
    found = {}
    for field_id in DESCRIPTIVE_FIELDS:
        if field_id != skip and field_id in rules.fields:
            value = parse_answer(field_id, text, rules)
            if value and value != UNKNOWN and not (value == "village" and _says(text, LAND_WORDS)):
                found[field_id] = value
    return found


def is_policy_question(text: str, intent: str, confidence: float) -> bool:
    """A confident policy intent, phrased as a question: answers ("租房") are statements."""
    return intent.startswith("faq_") and confidence >= INTERRUPTION_CONFIDENCE and _says(text, QUESTION_MARKERS)


def take_turn(
    rules: EligibilityRules,
    profile: Dict[str, str],
    text: str,
    asked: Optional[str],
    intent: str = "",
    confidence: float = 0.0,
    unclear_before: int = 0,
) -> Turn:
    """Read one message. ``asked`` is the field just asked (None when the form starts);
    ``unclear_before`` counts the answers to it that could not be read."""
    if asked and (_says(text, STOP_WORDS) or text.strip().lower() in SHORT_STOPS):
        return Turn(stop=True)
    if asked and _says(text, RESTART_WORDS):
        return Turn(restart=True, next_field=next_field(rules, {}))
    if asked and is_policy_question(text, intent, confidence):
        return Turn(understood=False, interruption=True, next_field=asked)
    turn = Turn()
    if asked is None or _says(text, CORRECTION_MARKERS):
        turn.answers.update(volunteered(rules, text, skip=asked))
        turn.corrected = asked is not None and any(profile.get(f) != v for f, v in turn.answers.items())
    if asked is not None:
        value = read_answer(rules, asked, text)
        if value is not None:
            turn.answers[asked] = value
        turn.understood = value is not None or turn.corrected
        if not turn.understood and unclear_before + 1 >= MAX_UNCLEAR_ANSWERS:
            turn.answers[asked], turn.gave_up = UNKNOWN, True
    turn.next_field = next_field(rules, {**profile, **turn.answers})
    return turn


def next_field(rules: EligibilityRules, profile: Dict[str, str]) -> Optional[str]:
    questions = evaluate(profile, rules).questions
    return questions[0] if questions else None
