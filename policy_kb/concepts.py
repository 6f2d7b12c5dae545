"""Which policy concepts (glossary terms) a question and an FAQ entry speak of: the answer gate.

An answer is given only when the question and the chosen entry share the concept that matters
(issue 16: never confidently wrong). The concepts are the glossary's terms; which of them matter is
read from the FAQ itself: a term found in many entries (户口, 落户, 派出所 …) tells them apart no
better than chance, and the entity terms (who, where, which diploma) are facets of a question, not
its topic.
"""

from __future__ import annotations

import re
from typing import Dict, FrozenSet, Iterable, List, Tuple

from policy_kb.answers import CITY_NAMES  # the city and its misspellings (traditional forms are normalised)
from policy_kb.loader import KnowledgeBase
from policy_kb.model import FaqEntry
from policy_kb.text import normalise

# Characters in a row that a question must share with an entry's own wording to count as quoting it.
QUOTE_CHARS = 4
# A term found in more than this share of the published entries does not decide between them.
GENERIC_SHARE = 0.2
# Terms naming who, where or which diploma: they refine a question but never make its topic.
FACET_ENTITIES = ("district", "other_city", "relation", "education", "housing_type")
# The document's sections on household registration itself: 户口迁移 (（三）–（六）) and 人口管理
# (（七）–（十）). The others set goals, or reforms in other offices' fields (land, school, social
# insurance, housing) that a hukou office does not handle.
HUKOU_SECTIONS = ("二", "三")
# The section on rights and services around settling (（十一）–（十六）): land, school, social insurance,
# health, housing, funding. Its articles answer a question only as it bears on a resident's household
# status (a newcomer, a move, a hukou); "城乡医保一年多少" is the insurance office's question.
SERVICES_SECTION = "四"
# Land rights (第（十一）条) are asked about as what a move keeps, even without naming the move.
LAND_ARTICLE = "十一"
_CITED_ARTICLE = re.compile(r"第（([一二三四五六七八九十]+)）")


def entry_text(faq: FaqEntry) -> str:
    return " ".join((faq.question, *faq.phrasings, faq.answer))


def _of_hukou_itself(kb: KnowledgeBase, note: str) -> bool:
    """A glossary term is of hukou itself unless its note cites only articles of other sections."""
    cited = _CITED_ARTICLE.findall(note)
    articles = kb.document.articles
    return not cited or any(a in articles and articles[a].section in HUKOU_SECTIONS for a in cited)


class ConceptIndex:
    """The topic terms of every published FAQ entry, and of any question."""

    def __init__(self, kb: KnowledgeBase):
        self.kb = kb
        self._forms: List[Tuple[str, str]] = sorted(
            (
                (normalise(form), term.term)
                for term in kb.glossary
                if term.entity not in FACET_ENTITIES
                for form in term.surface_forms
            ),
            key=lambda pair: -len(pair[0]),
        )
        self._hukou_forms = tuple(
            normalise(form)
            for term in kb.glossary
            if term.entity not in FACET_ENTITIES and _of_hukou_itself(kb, term.note)
            for form in term.surface_forms
        )
        self._facet_forms = (
            tuple(form for term in kb.glossary if term.entity in FACET_ENTITIES for form in term.surface_forms)
            + CITY_NAMES
        )
        faqs = kb.published_faqs()
        found = {faq.id: self._all_terms(entry_text(faq)) for faq in faqs}
        counts: Dict[str, int] = {}
        for terms in found.values():
            for term in terms:
                counts[term] = counts.get(term, 0) + 1
        self.generic: FrozenSet[str] = frozenset(t for t, n in counts.items() if n > GENERIC_SHARE * len(faqs))
        self._by_faq = {faq_id: terms - self.generic for faq_id, terms in found.items()}

    def _all_terms(self, text: str) -> FrozenSet[str]:
        """Glossary terms in ``text``; a longer form wins over a shorter one inside it (户口簿 ⊃ 户口)."""
        text = normalise(text)
        terms = set()
        for form, term in self._forms:
            if form and form in text:
                terms.add(term)
                text = text.replace(form, "\u3000")
        return frozenset(terms)

    def policy_terms(self, text: str) -> FrozenSet[str]:
        """Every policy term in the text, generic ones included (户口, 落户 …)."""
        return self._all_terms(text)

    def names_policy(self, text: str) -> bool:
        """A policy term (户口, 落户, 投靠 …; not only who, where or which diploma)."""
        return bool(self._all_terms(text))

    def names_hukou(self, text: str) -> bool:
        """A term of household registration itself (户口, 落户, 居住证, 身份证 …), not only of a field
        the document reforms beside it (医保, 宅基地, 公积金 …)."""
        text = normalise(text)
        return any(form in text for form in self._hukou_forms)

    def of_services(self, faq: FaqEntry) -> bool:
        """An entry that answers only with the services section's articles (school, insurance …)."""
        articles = self.kb.document.articles
        return bool(faq.articles) and all(
            a in articles and articles[a].section == SERVICES_SECTION and a != LAND_ARTICLE for a in faq.articles
        )

    def names_household_status(self, text: str) -> bool:
        """Household registration itself, or the resident's standing as a newcomer (外地, 随迁, 流动 …;
        messages.yml newcomer_words): what the services section's articles speak to."""
        if self.names_hukou(text):
            return True
        said = normalise(text)
        return any(normalise(str(w)) in said for w in self.kb.messages.get("newcomer_words") or ())

    def names_facet(self, text: str) -> bool:
        """Who, where in Shaoguan or which diploma (亲属, 浈江, 大专 …), not the city's name alone."""
        text = normalise(text)
        return any(normalise(f) in text for f in self._facet_forms if f not in CITY_NAMES)

    def says_anything_of_hukou(self, text: str) -> bool:
        """Any glossary term at all (facets included) or the city's name: "独生子女补贴几岁领" is
        not a settling question however the classifier reads it, "大专毕叶能落护绍关吗" is."""
        text = normalise(text)
        return bool(self._all_terms(text)) or any(normalise(f) in text for f in self._facet_forms)

    def topics(self, text: str) -> FrozenSet[str]:
        """The terms of the text that tell FAQ entries apart."""
        return self._all_terms(text) - self.generic

    def topics_of_article_text(self, text: str, faq: FaqEntry) -> bool:
        """Does the question quote a phrase of four or more characters from the entry's own
        question ("一线艰苦行业指的是哪些" ↔ "一线特殊艰苦行业……")? The entry's subject in its own words."""
        text = normalise(text)
        own = normalise(" ".join((faq.question, *faq.phrasings)))
        return any(text[i : i + QUOTE_CHARS] in own for i in range(max(0, len(text) - QUOTE_CHARS + 1)))

    def of_faq(self, faq: FaqEntry) -> FrozenSet[str]:
        return self._by_faq.get(faq.id, frozenset())

    def fits(self, text: str, faq: FaqEntry) -> bool:
        """False when the question names a topic and the entry speaks of none of its topics."""
        asked = self.topics(text)
        return not asked or bool(asked & self.of_faq(faq))

    def first_fitting(self, text: str, faqs: Iterable[FaqEntry]) -> FaqEntry | None:
        """The first entry that speaks of a topic the question names (None if it names none)."""
        asked = self.topics(text)
        return next((faq for faq in faqs if asked & self.of_faq(faq)), None) if asked else None
