"""One turn of the step-by-step eligibility conversation, without Rasa.

The Rasa form keeps one slot per profile field (``elig_<field>``). Each turn this module reads
what the resident wrote — the answer to the question asked, facts volunteered in a first
message ("我本科毕业，在浈江区租房") or in a message just before the check ("我喺武江买咗楼" asked as a
policy question), facts said in passing while answering another question ("租房住，大专毕业后就来了"),
a correction ("说错了，是买的房") — and the engine says what to ask next. Subjects brought up anywhere
("在煤矿井下做咗十年") make their question worth asking even once a pathway applies. The form
validation action only turns the result into Rasa events.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Set

from policy_kb.eligibility.engine import evaluate
from policy_kb.eligibility.model import DISTRICT_FIELD, UNKNOWN, EligibilityRules
from policy_kb.eligibility.parsing import mentions, parse_answer
from policy_kb.model import NOT_COVERED_INTENT, OFF_TOPIC_INTENTS
from policy_kb.text import asks_a_not_a, normalise, without_a_not_a

SLOT_PREFIX = "elig_"
STOPPED_SLOT = "elig_stopped"
# Fields whose answers are names of things, safe to read from any sentence. Yes/no fields are
# read only as the answer to their own question: "有"/"是" occur in almost every sentence.
DESCRIPTIVE_FIELDS = ("housing", "housing_area", "family_join", "education", DISTRICT_FIELD)
# "唔系"/"不是" are not markers: they start ordinary "no" answers ("唔系，啱嚟冇耐").
CORRECTION_MARKERS = ("说错", "讲错", "搞错", "打错", "更正", "改成", "改为", "应该是", "其实是", "不对")
# Answers to these questions describe relatives: facts in them are not the resident's own.
ABOUT_OTHERS = ("family_join",)
# Messages before the check started that may still describe the resident ("我喺武江买咗楼，可唔可以入户？").
EARLIER_MESSAGES = 3
STOP_WORDS = ("算了", "算啦", "算咗", "退出", "唔问了", "不问了", "不用了", "取消", "唔使了", "唔使喇", "结束", "停止")
# One-word commands that are unambiguous on their own. The classifier's stop/restart intents are
# not trusted inside a form: on real answers ("算不上", "不是，刚来半年") they are false alarms.
SHORT_STOPS = ("停", "唔问", "不问", "stop")
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
# Question words that also occur in statements about oneself ("不知哪年来的", "有啥说啥"): a message
# with one of them asks something only where nothing else reads it (in a form, when it answers
# nothing asked).
OTHER_QUESTION_WORDS = (
    "啥",
    "咩",
    "咋",
    "哪",
    "边度",
    "边个",
    "几时",
    "多久",
    "几耐",
    "点解",
    "区别",
    "找谁",
    "找边个",
)
# Chinese also asks yes/no by ending on the negation ("能读公办学校不", "放宽了没"); "我还没"/"都不"
# are statements.
_NEGATION_TAIL = re.compile(r"(?<![还都也并从又])(?:不|没|冇|未|没有)[啊呀啦喇嘞吖]?$")
# Intents that are never an answer to the check's question: the message is an aside to answer
# ("中途问一句，落户要收费不", "公积金怎么取"), the check goes on after it.
ASIDE_INTENTS = (NOT_COVERED_INTENT, *OFF_TOPIC_INTENTS)
# A question this long, or naming a policy topic, is asked for its own sake, not to hear the check's again.
ASIDE_MIN_CHARS = 6
# Words that set a question aside from the check ("插句嘴，如果我系大专毕业使唔使有楼先"): what it names
# is supposed, or asked by the way, not the resident's answer.
ASIDE_MARKERS = ("插句", "插一句", "插个嘴", "插嘴", "顺便问", "顺带问", "如果", "假如", "要是", "假设")
# A goodbye that answers nothing and asks nothing ends the check: one the classifier is sure of, or
# a word or two it leans to ("再见" alone scores about 0.5; a misheard answer can score as much).
SURE_GOODBYE = 0.8
GOODBYE_CONFIDENCE = 0.4
GOODBYE_CHARS = 4
# A policy question asked mid-form is answered when the classifier is this sure of it; when the
# question also names a policy topic of its own (宅基地, 居住证 …), a second signal, less is enough.
INTERRUPTION_CONFIDENCE = 0.8
INTERRUPTION_CONFIDENCE_WITH_TOPIC = 0.4


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


def _corrected_part(text: str) -> str:
    """What comes after the last correction marker ("村里……不对，是镇上" → "，是镇上")."""
    text = normalise(text)
    cut = max((text.rfind(m) + len(m) for m in CORRECTION_MARKERS if m in text), default=0)
    return text[cut:]


def volunteered(
    rules: EligibilityRules, text: str, skip: Optional[str] = None, correcting: bool = False
) -> Dict[str, str]:
    """Facts stated in passing, for descriptive fields only, never "unknown"; unless the resident is
    correcting an answer, not a value too vague to take from a sentence that did not answer its
    question ("没有" for housing)."""
    found = {}
    for field_id in DESCRIPTIVE_FIELDS:
        if field_id != skip and field_id in rules.fields:
            value = parse_answer(field_id, text, rules)
            vague = () if correcting else rules.in_passing_skip.get(field_id, ())
            if value in (None, UNKNOWN, *vague):
                continue
            if not (value == "village" and _says(text, rules.elsewhere_words)):
                found[field_id] = value
    return found


def _in_passing(rules: EligibilityRules, profile: Dict[str, str], text: str, asked: str) -> Dict[str, str]:
    """Facts said while answering another question, for questions not answered yet."""
    if asked in ABOUT_OTHERS:
        return {}
    return {f: v for f, v in volunteered(rules, text, skip=asked).items() if f not in profile}


def speaks_of_self(rules: EligibilityRules, text: str) -> bool:
    return _says(text, rules.self_words)


def usable_history(rules: EligibilityRules, before: Sequence[str], during: Sequence[str]) -> List[str]:
    """What the check may read besides the latest message: the last few messages before it started
    that describe the resident ("我喺武江买咗楼", not "租房能落户吗"), and every message since."""
    return [t for t in before[-EARLIER_MESSAGES:] if speaks_of_self(rules, t)] + list(during)


def mentioned(rules: EligibilityRules, texts: Sequence[str]) -> Set[str]:
    """Questions whose subject the resident brought up ("在煤矿井下做咗十年", "我女儿"), answered or not."""
    fields = [f for f, spec in rules.fields.items() if spec.mentions or spec.mention_years]
    return {f for f in fields if any(mentions(f, text, rules) for text in texts)}


# "不测了", "唔查喇", "不用问了": no more of the check or the lookup (the verbs are the forms' own).
_STOP_DOING = re.compile(r"(?:不|唔|别|不用|唔使|不要)(?:再)?(?:测|查|问|判断|测试)(?:了|喇|啦|咗|嘞)")
# "要几天", "几点下班": asking how many; "好几年", "十几岁" say an amount.
_HOW_MANY = re.compile(r"(?<![好十百千万一二两三四五六七八九])几(?![十百千万])[天点个年岁次钱日月周号时耐张种]")


# Words that take leave, whatever else the message says ("算啦唔测喇，拜拜").
FAREWELLS = ("再见", "拜拜", "bye", "下次见", "再会", "走先", "先走了")


def says_farewell(text: str) -> bool:
    return _says(text, FAREWELLS)


THANKS = ("谢谢", "多谢", "唔该晒", "感谢", "thank")


def says_thank_you(text: str) -> bool:
    """ "我不测了，谢谢啊": thanks said with the message, whatever else it says."""
    return _says(text, THANKS)


def is_stop(text: str) -> bool:
    """ "算了", "退出", "停", "不测了": the resident stops what is under way (a goodbye leaves as well)."""
    folded = normalise(text)
    return _says(text, STOP_WORDS) or text.strip().lower() in SHORT_STOPS or bool(_STOP_DOING.search(folded))


def is_question(text: str) -> bool:
    """Asked with a question mark or word ("吗", "可唔可以", "怎么")."""
    return _says(text, QUESTION_MARKERS)


def asks_anything(text: str) -> bool:
    """Any way Chinese asks: a question word, "A不A" ("算不算"), or ending on the negation
    ("能读公办学校不"). In a form, a message that answers nothing asked and asks this is an aside."""
    if is_question(text) or _says(text, OTHER_QUESTION_WORDS) or _HOW_MANY.search(normalise(text)):
        return True
    folded = normalise(text).rstrip("?!.,。，！？ ")
    if _CONFIRMING.search(folded):
        return True  # "韶关租房能落户吧"
    return asks_a_not_a(folded) or (len(folded) > 3 and bool(_NEGATION_TAIL.search(folded)))


# Asking to have it confirmed ("租房能落户吧", "可以一起迁吧"), not assent ("好吧", "行吧", "算了吧").
_CONFIRMING = re.compile(r"(?:能|可以)\S{1,8}?吧$")


def is_policy_question(text: str, intent: str, confidence: float, names_topic: bool = False) -> bool:
    """A confident policy intent, phrased as a question: answers ("租房") are statements."""
    needed = INTERRUPTION_CONFIDENCE_WITH_TOPIC if names_topic else INTERRUPTION_CONFIDENCE
    return intent.startswith("faq_") and confidence >= needed and _says(text, QUESTION_MARKERS)


def _interrupts(
    rules: EligibilityRules, asked: str, text: str, intent: str, confidence: float, names_topic: bool
) -> bool:
    """A question asked mid-check: a sure policy question, or anything asked that does not answer the
    question asked at all ("等一下，落户了老家的地还在吗" while asked where one lives)."""
    if is_policy_question(text, intent, confidence, names_topic):
        return True
    asks = asks_anything(text) and (names_topic or len(normalise(text)) >= ASIDE_MIN_CHARS)
    if asks and _says(text, ASIDE_MARKERS):
        return True  # supposed or asked by the way, whatever it names
    if read_answer(rules, asked, text) is not None:
        # an answer, unless read only from the question's own A-not-A ("退伍军人落户有没有优待": no "没有")
        return (
            asks
            and read_answer(rules, asked, without_a_not_a(normalise(text))) is None
            and asks_a_not_a(normalise(text))
        )
    # it answers nothing asked: a question of some substance ("乜话？" only asks to hear it again),
    # or another matter the classifier is sure of
    return asks or (intent in ASIDE_INTENTS and confidence >= INTERRUPTION_CONFIDENCE)


def _says_goodbye(rules: EligibilityRules, asked: str, text: str, intent: str, confidence: float) -> bool:
    """A goodbye the classifier is sure of, or a word or two it leans to ("再见"); never an answer
    it misheard ("是这样的，跟老伴住一起")."""
    if intent != "goodbye" or asks_anything(text) or read_answer(rules, asked, text) is not None:
        return False
    return confidence >= SURE_GOODBYE or (confidence >= GOODBYE_CONFIDENCE and len(normalise(text)) <= GOODBYE_CHARS)


def take_turn(
    rules: EligibilityRules,
    profile: Dict[str, str],
    text: str,
    asked: Optional[str],
    intent: str = "",
    confidence: float = 0.0,
    unclear_before: int = 0,
    earlier: Sequence[str] = (),
    names_topic: bool = False,
) -> Turn:
    """Read one message. ``asked`` is the field just asked (None when the form starts);
    ``unclear_before`` counts the answers to it that could not be read; ``earlier`` is what the
    resident said before in this check (see :func:`usable_history`), oldest first."""
    if asked and is_stop(text):
        return Turn(stop=True)
    if asked and _says_goodbye(rules, asked, text, intent, confidence):
        return Turn(stop=True)  # "拜拜" mid-check: the resident leaves
    if asked and _says(text, RESTART_WORDS):
        return Turn(restart=True, next_field=next_field(rules, {}))
    if asked and _interrupts(rules, asked, text, intent, confidence, names_topic):
        return Turn(understood=False, interruption=True, next_field=asked)
    turn = Turn()
    if asked is None:
        for said in [*earlier, text]:  # later messages win
            turn.answers.update(volunteered(rules, said))
    elif _says(text, CORRECTION_MARKERS):
        turn.answers.update(volunteered(rules, _corrected_part(text), skip=asked, correcting=True))
        turn.corrected = any(profile.get(f) != v for f, v in turn.answers.items())
    if asked is not None:
        value = read_answer(rules, asked, _corrected_part(text)) or read_answer(rules, asked, text)
        if value is not None:
            turn.answers[asked] = value
        turn.understood = value is not None or turn.corrected
        if not turn.understood and unclear_before + 1 >= MAX_UNCLEAR_ANSWERS:
            turn.answers[asked], turn.gave_up = UNKNOWN, True
        if not turn.corrected:
            turn.answers = {**_in_passing(rules, profile, text, asked), **turn.answers}
    turn.next_field = next_field(rules, {**profile, **turn.answers}, mentioned(rules, [*earlier, text]))
    return turn


def next_field(rules: EligibilityRules, profile: Dict[str, str], brought_up: Sequence[str] = ()) -> Optional[str]:
    questions = evaluate(profile, rules, mentioned=brought_up).questions
    return questions[0] if questions else None
