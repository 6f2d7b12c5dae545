"""Decide from the assistant's replies which articles it cited and which behaviour it showed.

Besides pass/fail, two measures of answer precision (issue 16):
- *confidently wrong*: the reply cites articles, and none of them is one the question needs or
  allows (``articles`` + ``also_ok``) — an unrelated article stated as the answer, or an article
  where the document says nothing (a behaviour was due);
- *over-cited*: the reply cites the right articles plus ones the question does not need.
"""

from __future__ import annotations

import re
from typing import Dict, Iterable, List, Optional, Set

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
# Replies that must not cite the policy when they are all that was expected.
REFUSALS = ("out_of_scope",)


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


def _offers_a_way_forward(kb: KnowledgeBase, text: str) -> bool:
    """Without the receipt: the hotline or a window is offered, and the number is not asked again."""
    asks_again = _opening(kb.messages["status_ask_number"]) in text
    return not asks_again and (kb.operator.hotline_number in text or "窗口" in text)


# "《实施意见》没有规定…" and the FAQ's "《实施意见》没有具体规定…": the document's silence said plainly.
_SILENCE = re.compile(r"《实施意见》(?:没有|未)(?:具体|明确|专门)?(?:规定|写明|明确)")


def behaviours(kb: KnowledgeBase, text: str) -> Set[str]:
    found = {"not_covered"} if _SILENCE.search(text) else set()
    for behaviour, keys in BEHAVIOUR_MESSAGES.items():
        if any(key in kb.messages and _opening(kb.messages[key]) in text for key in keys):
            found.add(behaviour)
    if _offers_a_way_forward(kb, text):
        found.add("status_help")
    return found


def _as_set(values: Iterable) -> Set[str]:
    return {str(v) for v in values or ()}


def allowed_articles(expect: Dict, also_ok: Iterable = ()) -> Set[str]:
    return _as_set(expect.get("articles")) | _as_set(also_ok)


def confidently_wrong(kb: KnowledgeBase, expect: Dict, text: str, also_ok: Iterable = ()) -> bool:
    """Articles cited, and none of them one the question needs or allows."""
    cited = cited_articles(kb, text)
    return bool(cited) and not cited & allowed_articles(expect, also_ok)


def over_cited(kb: KnowledgeBase, expect: Dict, text: str, also_ok: Iterable = ()) -> bool:
    """Articles cited beyond those needed or allowed (the right ones may be among them)."""
    return bool(cited_articles(kb, text) - allowed_articles(expect, also_ok))


def passes(kb: KnowledgeBase, expect: Dict[str, List[str]], text: str, also_ok: Optional[Iterable] = None) -> bool:
    """Articles: every expected one cited. Behaviour: shown, and nothing cited for refusals.
    An expectation may carry both (a two-question message). Sets labelled with ``also_ok`` (the
    blind sets of issue 16) are judged strictly: a confidently wrong reply never passes; the older
    sets, labelled without it, keep the judgement their published figures were made with."""
    if also_ok is not None and confidently_wrong(kb, expect, text, also_ok):
        return False
    ok = True
    if "articles" in expect:
        ok = _as_set(expect["articles"]) <= cited_articles(kb, text)
    if "behaviour" in expect:
        behaviour = expect["behaviour"]
        ok = ok and behaviour in behaviours(kb, text)
        if behaviour in REFUSALS and "articles" not in expect:
            ok = ok and not cited_articles(kb, text)
    return ok
