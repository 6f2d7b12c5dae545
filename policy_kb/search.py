"""BM25 search over the FAQ (standard questions and phrasings), jieba-tokenised.

Built once per knowledge-base version and reused for every message: tokenising the whole FAQ
again per question would cost more than the search itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import List, Optional, Tuple

from policy_kb.bm25 import BM25
from policy_kb.glossary import all_forms, synonym_map
from policy_kb.model import FaqEntry, KnowledgeBase
from policy_kb.text import Segmenter


@dataclass(frozen=True)
class Hit:
    faq: FaqEntry
    score: float


class FaqIndex:
    def __init__(self, kb: KnowledgeBase):
        self._segmenter = Segmenter(all_forms(kb.glossary), synonym_map(kb.glossary))
        self._faqs = kb.published_faqs()
        corpus = [self._segmenter.tokens(" ".join((f.question, *f.phrasings))) for f in self._faqs]
        self._bm25 = BM25()
        self._bm25.index(corpus, show_progress=False)

    def search(self, query: str, k: int = 3, intent: Optional[str] = None) -> List[Hit]:
        """The ``k`` best FAQ entries for ``query`` (only those of ``intent`` if given), best first."""
        tokens = self._segmenter.tokens(query)
        if not tokens or not self._faqs:
            return []
        docs, scores = self._bm25.retrieve([tokens], k=len(self._faqs), show_progress=False)
        hits = [Hit(self._faqs[int(d)], float(s)) for d, s in zip(docs[0], scores[0], strict=False) if s > 0]
        if intent is not None:
            hits = [hit for hit in hits if hit.faq.intent == intent]
        return hits[:k]

    def tokens(self, text: str) -> Tuple[str, ...]:
        return tuple(self._segmenter.tokens(text))
