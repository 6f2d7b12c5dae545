"""How a free message is read apart from the classifier: the questions in it and the facts a
resident states about themselves (with the eligibility check's own rules)."""

from __future__ import annotations

import re
from typing import Dict, List, Optional

from policy_kb.eligibility import evaluate
from policy_kb.eligibility.dialogue import mentioned, speaks_of_self, volunteered
from policy_kb.eligibility.parsing import parse_answer
from policy_kb.loader import KnowledgeBase
from policy_kb.text import normalise, without_a_not_a

# Several questions in one message: split at question marks, semicolons and the words that join them;
# "还有" joins questions, but "还有没有用", "还有效吗", "还有多久" ask one.
_QUESTION_BREAK = re.compile(
    r"[？?；;！!，,\n]+|还有就是|还有(?!没|冇|无|效|用|吗|多|几|什么|啥|咩)|另外|以及|顺便问|再问|还想问|其次"
)
MIN_PART_CHARS = 4
# Punctuation and particles between the words that withdraw a request for a person and the rest.
_LEADING = " ，,。.！!～~、啦吧啊呀喇嘞了咗"
# Yes/no facts taken from a free message only when the message brings up their subject in the
# check's own words ("高级工", "非遗传承人", "井下"): a bare "有" says nothing of them.
STATED_WHEN_MENTIONED = ("skill_certified", "special_talent", "long_term_resident", "hard_industry")
TOWN = "town"
# The facts a message can rule a pathway out by: a home ("我没房", "住村里") and a diploma. A bare
# "没有" read as "no family to join" ("我没有房子") is too vague to rule out 投靠.
RULES_OUT = ("housing", "housing_area", "education")
# A home spoken of: without one of these, a bare "没有/冇" denies something else, not a home.
_HOME_WORDS = ("房", "屋", "楼", "住", "宿舍", "地方")
# What the check is about, named beside a request for it.
_CHECK_SUBJECTS = ("落户", "入户", "户口", "户籍", "条件", "够格", "符合", "落得", "入得")


def pathways_met(kb: KnowledgeBase, text: str) -> List[str]:
    """Articles of the settling pathways that the facts a resident states about themselves meet."""
    if not speaks_of_self(kb.eligibility, text):
        return []
    return pathways_named(kb, text)


def states_facts(kb: KnowledgeBase, text: str) -> bool:
    """The resident tells something about themselves the eligibility check reads ("我住厂里宿舍")."""
    return speaks_of_self(kb.eligibility, text) and bool(stated_facts(kb, text))


def pathways_named(kb: KnowledgeBase, text: str) -> List[str]:
    """Articles of the settling pathways whose facts the text names, whoever it speaks of
    ("大专生和中级工都能落户吗" names 第（六）条's)."""
    facts = stated_facts(kb, text)
    return [finding.article for finding in evaluate(facts, kb.eligibility).applicable] if facts else []


def pathways_ruled_out(kb: KnowledgeBase, text: str) -> Dict[str, str]:
    """Article → why not, for each settling pathway the facts a resident states about themselves rule
    out ("我没房" → 第（三）条), when none they state is met."""
    if not speaks_of_self(kb.eligibility, text):
        return {}
    # only what is told: "有没有影响" asks, its "没有" denies no home
    facts = stated_facts(kb, without_a_not_a(text))
    if facts.get("housing") == "none" and not any(word in text for word in _HOME_WORDS):
        del facts["housing"]  # "我冇大专文凭" denies a diploma, not a home
    result = evaluate(facts, kb.eligibility) if facts else None
    if result is None or result.applicable:
        return {}
    return {f.article: f.reason for f in result.ruled_out if f.answers and set(f.answers) <= set(RULES_OUT)}


def stated_facts(kb: KnowledgeBase, text: str) -> Dict[str, str]:
    """The facts of the eligibility check the text states, whoever it speaks of."""
    rules = kb.eligibility
    facts = volunteered(rules, text, correcting=True)
    for field_id in mentioned(rules, [text]) & set(STATED_WHEN_MENTIONED):
        value = parse_answer(field_id, text, rules)
        # "修车六七年了": the years themselves say it (the field's mention_years), unless denied
        if value == "yes" or (value is None and rules.fields[field_id].mention_years is not None):
            facts[field_id] = "yes"
    if "housing" in facts and "housing_area" not in facts:
        facts["housing_area"] = TOWN  # a home named without a place: the question is about settling in town
    return facts


def split_questions(text: str) -> List[str]:
    """The message's questions, in order (one part when it asks one thing)."""
    parts = [p.strip(" ，,。.") for p in _QUESTION_BREAK.split(text)]
    return [p for p in parts if len(p) >= MIN_PART_CHARS] or [text]


def says_no_number(kb: KnowledgeBase, text: str) -> bool:
    """The resident says the receipt or its number is not at hand: one of the ways messages.yml
    lists, or the receipt or number named with being lost, unknown or unreadable, and no digits."""
    text = normalise(text)
    if any(normalise(str(w)) in text for w in kb.messages.get("status_no_number_words") or []):
        return True
    parts = kb.messages.get("status_no_number_parts") or {}
    named = any(normalise(str(w)) in text for w in parts.get("things") or [])
    lost = any(normalise(str(w)) in text for w in parts.get("lost") or [])
    return named and lost and not re.search(r"\d{4,}", text)


def asks_progress(kb: KnowledgeBase, text: str) -> bool:
    """ "现在什么进度了", "批下来没": the resident's own application, whatever the classifier heard."""
    text = normalise(text)
    return any(normalise(str(w)) in text for w in kb.messages.get("status_progress_words") or [])


def asks_for_the_check(kb: KnowledgeBase, text: str) -> bool:
    """ "你帮我测下我入唔入到韶关户口", "我想先判断下自己够不够条件落户": the step-by-step check asked for
    in words the classifier missed (messages.yml eligibility_request_words, with settling or 条件 named)."""
    said = normalise(text)
    if not any(normalise(str(w)) in said for w in kb.messages.get("eligibility_request_words") or []):
        return False
    return any(w in said for w in _CHECK_SUBJECTS)


def handoff_withdrawal(kb: KnowledgeBase, text: str) -> Optional[str]:
    """A resident waiting for a person who says they no longer need one ("算了，就问你吧，…"): what
    the message asks besides (possibly nothing); None when it does not open with such words."""
    words = sorted((str(w) for w in kb.messages.get("handoff_withdraw_words") or []), key=len, reverse=True)
    rest, withdrew = text.strip(), False
    while True:
        stripped = rest.lstrip(_LEADING)
        said = next((w for w in words if normalise(stripped).startswith(normalise(w))), None)
        if said is None:
            break
        rest, withdrew = stripped[len(said) :], True
    return rest.strip(_LEADING) if withdrew else None
