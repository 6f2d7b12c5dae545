"""Decide from the assistant's replies which articles it cited and which behaviour it showed."""

from __future__ import annotations

import re
from typing import Dict, List, Set

from policy_kb.loader import KnowledgeBase

_CITED = re.compile(r"第（([一二三四五六七八九十]+)）条")

# Behaviour → the message keys in messages.yml whose opening words identify it (any one will do).
BEHAVIOUR_MESSAGES = {
    "other_city": ("other_city",),
    "out_of_scope": ("out_of_scope",),
    "greet": ("greet",),
    "thank": ("thank",),
    "goodbye": ("goodbye",),
    "help": ("help",),
    # Transferred to a person, or told the transfer is down right now (the hotline is offered).
    "handoff": ("handoff", "handoff_unavailable"),
    # The status form opens by asking for the 受理编号, or for the ID tail when the number came
    # with the question; an unreachable status store is said so at once (still the right flow).
    "status": ("status_ask_number", "status_ask_id_tail", "status_unavailable"),
    "eligibility": ("eligibility_start",),
    "fallback": ("fallback",),
}


def cited_articles(kb: KnowledgeBase, text: str) -> Set[str]:
    refs: Set[str] = set()
    for line in text.splitlines():
        if line.startswith(kb.messages["citation_prefix"]):
            refs.update(_CITED.findall(line))
            if "开篇引言" in line:
                refs.add("preamble")
    return refs


def _opening(entry) -> str:
    if isinstance(entry, dict):
        entry = entry["text"] if "text" in entry else entry["intro"]
    return str(entry)[:10]


def behaviours(kb: KnowledgeBase, text: str) -> Set[str]:
    found = {"not_covered"} if "《实施意见》没有规定" in text else set()
    for behaviour, keys in BEHAVIOUR_MESSAGES.items():
        if any(key in kb.messages and _opening(kb.messages[key]) in text for key in keys):
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
