"""How a free message is read apart from the classifier: the questions in it and the facts a
resident states about themselves (with the eligibility check's own rules)."""

from __future__ import annotations

import re
from typing import List

from policy_kb.eligibility import evaluate
from policy_kb.eligibility.dialogue import speaks_of_self, volunteered
from policy_kb.loader import KnowledgeBase

# Several questions in one message: split at question marks, semicolons and the words that join them.
_QUESTION_BREAK = re.compile(r"[？?；;！!，,\n]+|还有就是|还有|另外|以及|顺便问|再问|还想问|其次")
MIN_PART_CHARS = 4


def pathways_met(kb: KnowledgeBase, text: str) -> List[str]:
    """Articles of the settling pathways that the facts a resident states about themselves meet."""
    rules = kb.eligibility
    if not speaks_of_self(rules, text):
        return []
    facts = volunteered(rules, text, correcting=True)
    if not facts:
        return []
    return [finding.article for finding in evaluate(facts, rules).applicable]


def split_questions(text: str) -> List[str]:
    """The message's questions, in order (one part when it asks one thing)."""
    parts = [p.strip(" ，,。.") for p in _QUESTION_BREAK.split(text)]
    return [p for p in parts if len(p) >= MIN_PART_CHARS] or [text]
