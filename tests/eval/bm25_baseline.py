"""Baseline (a): a BM25 search box over the FAQ and the document, top hit only.

What a resident would get from a site search instead of the assistant: each FAQ entry (standard
question + phrasings) and each article (heading + text, the preamble too) is one document; the
top-ranked document becomes the reply: the FAQ answer with its citation, or the bare citation of
the article; nothing found, "no results". The reply is judged like the assistant's.

Two tokenisations: ``plain`` is jieba's search mode with its own dictionary (the search box anyone
could set up), ``glossary`` is policy_kb's segmenter (policy glossary as user dictionary, synonyms
folded, character bigrams): how far search alone gets with our vocabulary work.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, List

import jieba

from policy_kb import answers
from policy_kb.bm25 import BM25
from policy_kb.glossary import all_forms, synonym_map
from policy_kb.loader import KnowledgeBase
from policy_kb.model import PREAMBLE
from policy_kb.text import Segmenter, normalise

_WORD = re.compile(r"\w")
NO_RESULT = "没有找到相关内容。"

Tokenise = Callable[[str], List[str]]


@dataclass(frozen=True)
class Document:
    text: str
    reply: str  # what the search box shows when this document is the top hit


def plain_tokeniser() -> Tokenise:
    """jieba search mode, default dictionary, on simplified lower-case text."""
    tokenizer = jieba.Tokenizer()  # private: keeps jieba's global dictionary untouched
    tokenizer.initialize()
    return lambda text: [w for w in tokenizer.lcut_for_search(normalise(text)) if _WORD.search(w)]


def glossary_tokeniser(kb: KnowledgeBase) -> Tokenise:
    return Segmenter(all_forms(kb.glossary), synonym_map(kb.glossary)).tokens


def documents(kb: KnowledgeBase) -> List[Document]:
    """Every published FAQ entry, every article and the preamble, with the reply each gives."""
    docs = [
        Document(" ".join((faq.question, *faq.phrasings)), answers.faq_reply(kb, faq).text)
        for faq in kb.published_faqs()
    ]
    docs += [
        Document(f"{article.heading} {article.text}", f"{article.text}\n{kb.citation([number])}")
        for number, article in kb.document.articles.items()
    ]
    basis = " ".join(title for _, title in kb.document.basis)
    docs.append(Document(f"{kb.document.preamble} {basis}", f"{kb.document.preamble}\n{kb.citation([PREAMBLE])}"))
    return docs


class Bm25SearchBox:
    def __init__(self, kb: KnowledgeBase, tokenise: Tokenise):
        self._tokenise = tokenise
        self._docs = documents(kb)
        self._bm25 = BM25()
        self._bm25.index([tokenise(d.text) for d in self._docs], show_progress=False)

    def top(self, question: str) -> Document | None:
        """The best-ranked document, or None when no query word occurs anywhere."""
        tokens = self._tokenise(question)
        if not tokens:
            return None
        ids, scores = self._bm25.retrieve([tokens], k=1, show_progress=False)
        return self._docs[int(ids[0][0])] if scores[0][0] > 0 else None

    def answer(self, question: str, n: int = 0) -> str:
        hit = self.top(question)
        return hit.reply if hit else NO_RESULT
