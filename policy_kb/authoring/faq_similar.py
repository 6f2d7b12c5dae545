"""Questions the assistant could confuse: an FAQ phrasing too close to another entry's (the BM25
search cannot tell which answer is meant) or to another intent's training example (the classifier
sends the resident elsewhere).

Run as ``python -m policy_kb.authoring.faq_similar`` to see the closest pairs in the real data with their
scores, which is how the default threshold was chosen and how to re-tune it.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Dict, List, Sequence, Tuple, Union

from policy_kb.authoring.similarity import TextSimilarity, same_text_key
from policy_kb.authoring.training_data import Example
from policy_kb.model import FaqEntry, GlossaryTerm

# Measured on the real data (python -m policy_kb.authoring.faq_similar): different entries score at most
# 0.73 against each other (老婆/个仔可唔可以投靠我入户) and 0.66 against another intent's example;
# rewordings of one question score 0.70–0.88 and copies 1.00, but so do some different questions
# (居住证持有人有什么责任/权利, 0.75). 0.80 flags copies and close rewordings with no false alarm
# on the current data and a margin of 0.07 above its closest legitimate pair.
DEFAULT_THRESHOLD = 0.80


@dataclass(frozen=True)
class Phrase:
    """The standard question or one phrasing of a published entry, and where it is written."""

    text: str
    faq: FaqEntry
    where: str  # file as displayed
    line: int


@dataclass(frozen=True)
class Pair:
    phrase: Phrase  # the later of the two in the FAQ, where the problem is reported
    other: Union[Phrase, Example]
    score: float
    same: bool  # identical once normalised (punctuation, width, traditional characters ignored)


def _best(pairs: List[Pair]) -> List[Pair]:
    """One pair per phrase and counterpart (an entry, or the training data), the closest."""
    best: Dict[Tuple, Pair] = {}
    for pair in pairs:
        other = pair.other.faq.id if isinstance(pair.other, Phrase) else "nlu"
        key = (pair.phrase.where, pair.phrase.line, pair.phrase.text, other)
        if key not in best or (pair.same, pair.score) > (best[key].same, best[key].score):
            best[key] = pair
    return list(best.values())


def similar_pairs(
    phrases: Sequence[Phrase], examples: Sequence[Example], glossary: Sequence[GlossaryTerm], threshold: float
) -> List[Pair]:
    """Pairs of different entries' phrases, and phrases with another intent's examples, that are
    identical or at least ``threshold`` alike. Phrases of one entry are meant to be alike, and so
    are an entry's phrasings and its own intent's examples."""
    texts = [p.text for p in phrases] + [e.text for e in examples]
    similarity = TextSimilarity(texts, glossary)
    keys = [same_text_key(text) for text in texts]
    counterpart: List[Union[Phrase, Example]] = [*phrases, *examples]
    pairs = []
    for i, phrase in enumerate(phrases):
        others = [j for j in range(i) if phrases[j].faq.id != phrase.faq.id]
        others += [len(phrases) + k for k, e in enumerate(examples) if e.intent != phrase.faq.intent]
        same = {j for j in others if keys[i] and keys[j] == keys[i]}
        for j in same | set(similarity.candidates(i, others, threshold)):
            pairs.append(Pair(phrase, counterpart[j], similarity.score(i, j), j in same))
    return _best(pairs)


def main() -> int:
    """Print the 30 closest pairs of the real data, so a threshold can be chosen from figures."""
    from policy_kb.authoring.training_data import nlu_examples
    from policy_kb.loader import load_kb

    kb = load_kb()
    phrases = [Phrase(t, f, f.source, 0) for f in kb.published_faqs() for t in (f.question, *f.phrasings)]
    pairs = sorted(similar_pairs(phrases, nlu_examples(), kb.glossary, 0.5), key=lambda p: -p.score)
    for pair in pairs[:30]:
        other = pair.other
        label = f"{other.faq.id}" if isinstance(other, Phrase) else f"训练数据 {other.intent}"
        print(f"{pair.score:.3f}  {pair.phrase.faq.id}“{pair.phrase.text}”  ↔  {label}“{other.text}”")
    print(
        f"当前阈值 {DEFAULT_THRESHOLD:.2f}；达到阈值的有 {sum(p.score >= DEFAULT_THRESHOLD for p in pairs)} 对。",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
