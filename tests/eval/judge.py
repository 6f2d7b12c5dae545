"""Decide from the assistant's replies which articles it cited and which behaviour it showed."""

from __future__ import annotations

import re
from typing import Dict, List, Set

from policy_kb.loader import KnowledgeBase

_CITED = re.compile(r"第（([一二三四五六七八九十]+)）条")

# Behaviour → the message key in messages.yml whose opening words identify it.
BEHAVIOUR_MESSAGES = {
    "other_city": "other_city",
    "out_of_scope": "out_of_scope",
    "greet": "greet",
    "thank": "thank",
    "goodbye": "goodbye",
    "help": "help",
    "handoff": "handoff",
    "status": "status_ask_number",  # asking for progress starts with the 受理编号
    "fallback": "fallback",
}


def cited_articles(kb: KnowledgeBase, text: str) -> Set[str]:
    refs: Set[str] = set()
    for line in text.splitlines():
        if line.startswith(kb.messages["citation_prefix"]):
            refs.update(_CITED.findall(line))
            if "开篇引言" in line:
                refs.add("preamble")
    return refs


def behaviours(kb: KnowledgeBase, text: str) -> Set[str]:
    found = {"not_covered"} if "《实施意见》没有规定" in text else set()
    for behaviour, key in BEHAVIOUR_MESSAGES.items():
        entry = kb.messages[key]
        opening = (
            entry["text"]
            if isinstance(entry, dict) and "text" in entry
            else entry["intro"]
            if isinstance(entry, dict)
            else entry
        )[:10]
        if opening in text:
            found.add(behaviour)
    return found


def passes(kb: KnowledgeBase, expect: Dict[str, List[str]], text: str) -> bool:
    """Articles: every expected one cited. Behaviour: shown, and nothing cited for refusals."""
    if "articles" in expect:
        return {str(a) for a in expect["articles"]} <= cited_articles(kb, text)
    behaviour = expect["behaviour"]
    shown = behaviour in behaviours(kb, text)
    if behaviour == "out_of_scope":  # a refusal must not cite the policy
        return shown and not cited_articles(kb, text)
    return shown
