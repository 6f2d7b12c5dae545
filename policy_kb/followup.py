"""What the conversation has established so far, and reading a short follow-up in its light.

The context is small and plain: the FAQ entry last answered, its articles, and the resident's
message number when it was given. The action keeps it in one slot, so it belongs to one
conversation only and ends with the session; it is also ignored once it is ``MAX_AGE`` messages old.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Dict, Optional, Tuple

from policy_kb.loader import KnowledgeBase
from policy_kb.text import normalise

# A follow-up refers to the answer just given, or the one before: older context is not assumed.
MAX_AGE = 2
_PUNCT = "，,。.？?！!~～ 　…"


@dataclass(frozen=True)
class Context:
    faq_id: str
    articles: Tuple[str, ...]
    turn: int  # the resident's message number (in this session) that the answer replied to
    # the relative the conversation is about (a family_join value: "minor_child", "spouse" …), so
    # that "他今年二十了，没跟我住" is read as being about that relative
    who: Optional[str] = None

    def to_slot(self) -> Dict[str, Any]:
        return {**asdict(self), "articles": list(self.articles)}

    @classmethod
    def from_slot(cls, value: Any) -> Optional["Context"]:
        """The stored context, or None for anything malformed (a slot is never trusted blindly)."""
        if not isinstance(value, dict):
            return None
        try:
            who = value.get("who")
            return cls(
                str(value["faq_id"]),
                tuple(str(a) for a in value["articles"]),
                int(value["turn"]),
                who if isinstance(who, str) and who.isidentifier() else None,
            )
        except (KeyError, TypeError, ValueError):
            return None

    def fresh(self, turn: int) -> bool:
        return 0 < turn - self.turn <= MAX_AGE


def is_elliptical(kb: KnowledgeBase, text: str) -> bool:
    """A short message that leans on what came before ("那我老婆呢", "县城呢", "我也可以吗")."""
    words = kb.messages.get("follow_up_words") or {}
    text = normalise(text).strip(_PUNCT)
    if not text or len(text) > int(words.get("max_chars", 14)):
        return False
    return (
        text.startswith(tuple(words.get("starts") or ()))
        or text.endswith(tuple(words.get("ends") or ()))
        or any(word in text for word in words.get("same") or ())
    )


def is_short(kb: KnowledgeBase, text: str) -> bool:
    """Short enough that, when the classifier is unsure of it, it is read as the next turn."""
    words = kb.messages.get("follow_up_words") or {}
    return 0 < len(normalise(text).strip(_PUNCT)) <= int(words.get("max_chars", 14))


def is_bare_next_step(kb: KnowledgeBase, text: str) -> bool:
    """Only the next practical step of the topic ("要多久能办好", "去边度办"), nothing else named:
    what remains without the not-covered keywords and the filler words is at most a word."""
    words = kb.messages.get("follow_up_words") or {}
    keywords = [str(k) for topic in kb.messages["not_covered_topics"].values() for k in topic.get("keywords") or []]
    found = [k for k in keywords if k in text]
    if not found:
        return False
    for word in found + [str(f) for f in words.get("fillers") or []]:
        text = text.replace(word, "")
    return len(text.strip(_PUNCT)) <= int(words.get("bare_rest_chars", 2))
