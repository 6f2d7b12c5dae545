"""Policy search for hotline staff: the assistant's own retrieval and answer wording.

An agent on the phone finds the same FAQ entry the assistant would, worded the same way with the
legal basis last, and can read it out or paste it; what the document leaves open (fees, newborn
registration …) is named plainly, as the assistant does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import List, Optional

from policy_kb import answers
from policy_kb.live import KNOWLEDGE

MAX_QUERY_CHARS = 200


@dataclass(frozen=True)
class Result:
    faq_id: str
    question: str
    answer: str  # what the assistant says, without the citation line
    citation: str  # 「依据：……第（三）条」
    text: str  # answer and citation together, as copied
    score: float


@dataclass(frozen=True)
class Search:
    results: List[Result]
    not_covered: Optional[str]  # the assistant's "《实施意见》没有规定" answer, if the question needs it


def search(query: str, k: int = 5) -> Search:
    query = (query or "").strip()[:MAX_QUERY_CHARS]
    if not query:
        return Search([], None)
    kb, index = KNOWLEDGE.get()
    results = []
    for hit in index.search(query, k=k):
        reply = answers.faq_reply(kb, hit.faq, query)
        citation = kb.citation(list(reply.articles))
        answer = reply.text[: -len(citation)].rstrip("\n") if reply.text.endswith(citation) else reply.text
        results.append(Result(hit.faq.id, hit.faq.question, answer, citation, reply.text, round(hit.score, 3)))
    not_covered = answers.not_covered_reply(kb, query).text if answers.not_covered_topics(kb, query) else None
    return Search(results, not_covered)
