"""How alike two short questions are, on a 0–1 scale, with the FAQ search's own tokens and BM25.

BM25 scores are not comparable between queries, so each is divided by the text's score against
itself: ``a→b`` is "how much of what makes ``a`` distinctive does ``b`` contain". A near-duplicate
has to contain the other both ways, so the similarity is the smaller of the two directions. The
tokens (jieba words with the glossary, synonyms folded, character bigrams) are those of
:class:`policy_kb.search.FaqIndex`, so "similar" here means "the search cannot tell them apart".
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Dict, List, Sequence, Tuple

import numpy as np

from policy_kb.bm25 import BM25
from policy_kb.glossary import all_forms, synonym_map
from policy_kb.model import GlossaryTerm
from policy_kb.text import Segmenter, normalise

_NOT_WORD = re.compile(r"[\W_]+")


def same_text_key(text: str) -> str:
    """Text compared exactly: simplified, width-folded, lower case, punctuation and spaces gone."""
    return _NOT_WORD.sub("", normalise(text))


@lru_cache(maxsize=2)
def _segmenter(glossary: Tuple[GlossaryTerm, ...]) -> Segmenter:
    """Loading jieba's dictionary takes a second or more; reuse it while the glossary is the same."""
    return Segmenter(all_forms(glossary), synonym_map(glossary))


class TextSimilarity:
    """Pairwise similarity within one collection of texts (their statistics set the weights)."""

    def __init__(self, texts: Sequence[str], glossary: Sequence[GlossaryTerm]):
        segmenter = _segmenter(tuple(glossary))
        self._tokens = [segmenter.tokens(text) for text in texts]
        self._bm25 = BM25()
        # bm25s cannot index an empty collection; a placeholder keeps the indices aligned.
        self._bm25.index([tokens or ["\0"] for tokens in self._tokens], show_progress=False)
        self._rows: Dict[int, np.ndarray] = {}

    def _ratios(self, i: int) -> np.ndarray:
        """Scores of text ``i`` against every text, divided by its score against itself."""
        if i not in self._rows:
            tokens = self._tokens[i]
            scores = self._bm25.get_scores(tokens) if tokens else np.zeros(len(self._tokens))
            own = scores[i]
            self._rows[i] = scores / own if own > 0 else np.zeros_like(scores)
        return self._rows[i]

    def score(self, i: int, j: int) -> float:
        return float(min(self._ratios(i)[j], self._ratios(j)[i]))

    def candidates(self, i: int, others: Sequence[int], threshold: float) -> List[int]:
        """The texts among ``others`` at least ``threshold`` alike to text ``i``. One direction is
        checked first, on a row already computed, so most pairs never need the reverse row."""
        indices = np.asarray(others, dtype=int)
        close = indices[self._ratios(i)[indices] >= threshold] if len(indices) else indices
        return [int(j) for j in close if self.score(i, int(j)) >= threshold]
