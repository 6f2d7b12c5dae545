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
from policy_kb.text import is_dictionary_word, normalise, plain_phrases, word_boundaries, word_spans

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
# The section on settling (（三）–（六）): its terms say a question is about moving a hukou here.
SETTLING_SECTION = "二"
# The sections on the reform as a whole: goals and principles (一), organisation and publicity (五).
REFORM_SECTIONS = ("一", "五")
# The section on rights and services around settling (（十一）–（十六）): land, school, social insurance,
# health, housing, funding. Its articles answer a question only as it bears on a resident's household
# status (a newcomer, a move, a hukou) or as the reform itself; "城乡医保一年多少" is the insurance
# office's question, "政府回收土地要交税吗" the land office's.
SERVICES_SECTION = "四"
# Of the services section, the articles on school places (（十二）) and housing security (（十五）) are
# rules other cities also set by hukou or residence ("在中山上小学需要什么条件" is another city's rules);
# land, insurance, health and funding are another office's matter wherever they are asked.
NEWCOMER_RULES_ARTICLES = ("十二", "十五")
# How a glossary note cites the document's opening paragraph (it has no article number).
PREAMBLE_NOTE = "开篇引言"
_CITED_ARTICLE = re.compile(r"第（([一二三四五六七八九十]+)）")
# How a glossary note says the document does not speak of a term at all.
_NOT_IN_DOCUMENT = re.compile(r"《实施意见》未作规定|不属于《实施意见》")


def entry_text(faq: FaqEntry) -> str:
    return " ".join((faq.question, *faq.phrasings, faq.answer))


def _cites_document(note: str) -> bool:
    return bool(_CITED_ARTICLE.search(note)) or PREAMBLE_NOTE in note


def _cites_section(kb: KnowledgeBase, note: str, section: str) -> bool:
    articles = kb.document.articles
    return any(a in articles and articles[a].section == section for a in _CITED_ARTICLE.findall(note))


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
        # Terms of settling itself (落户, 投靠, 集体户 …): their notes cite the 户口迁移 section.
        settling = [
            t for t in kb.glossary if t.entity not in FACET_ENTITIES and _cites_section(kb, t.note, SETTLING_SECTION)
        ]
        self.settling_terms = frozenset(t.term for t in settling)
        self._settling_forms = tuple(normalise(form) for term in settling for form in term.surface_forms)
        self._facet_forms = (
            tuple(form for term in kb.glossary if term.entity in FACET_ENTITIES for form in term.surface_forms)
            + CITY_NAMES
        )
        # a synonym no dictionary knows, the term's own length: a misspelling of it (护口, 落护, 户藉)
        self._misspellings = tuple(
            (normalise(form), normalise(term.term))
            for term in kb.glossary
            if len(term.term) == 2 and term.entity not in FACET_ENTITIES
            for form in term.synonyms
            if len(form) == 2 and not is_dictionary_word(normalise(form))
        )
        faqs = kb.published_faqs()
        found = {faq.id: self._all_terms(entry_text(faq)) for faq in faqs}
        counts: Dict[str, int] = {}
        for terms in found.values():
            for term in terms:
                counts[term] = counts.get(term, 0) + 1
        self.generic: FrozenSet[str] = frozenset(t for t, n in counts.items() if n > GENERIC_SHARE * len(faqs))
        # An entry is about the document's concepts only: a term the document does not speak of
        # (户口簿, 身份证: their notes cite nothing) is at most mentioned in passing ("户口簿要不要换
        # 《实施意见》没有规定"), and a question on it is no question on that entry.
        self._uncited = frozenset(t.term for t in kb.glossary if not _cites_document(t.note))
        self._by_faq = {faq_id: terms - self.generic - self._uncited for faq_id, terms in found.items()}
        # Terms whose notes say the document does not settle them at all (户口簿, 身份证, 派出所).
        self._outside_document = frozenset(t.term for t in kb.glossary if _NOT_IN_DOCUMENT.search(t.note))

    def _all_terms(self, text: str) -> FrozenSet[str]:
        """Glossary terms in ``text``; a longer form wins over a shorter one inside it (户口簿 ⊃ 户口)."""
        text = self._spelt_right(plain_phrases(normalise(text)))
        terms, cuts = set(), set(word_boundaries(text))  # segmented once, not once per form found
        for form, term in self._forms:
            spans = word_spans(text, form, cuts)
            if spans:
                terms.add(term)
                for start, end in spans:  # blanked, same length: the offsets of the rest stay true
                    text = text[:start] + "\u3000" * (end - start) + text[end:]
                    cuts.update((start, end))  # a blank ends a word on either side
        return frozenset(terms)

    def _spelt_right(self, text: str) -> str:
        """Two-character misspellings the glossary lists for a two-character term (护口 for 户口, 落护
        for 落户) written as the term, so that the terms built on it are found too ("农业护口")."""
        for wrong, right in self._misspellings:
            text = text.replace(wrong, right)
        return text

    def policy_terms(self, text: str) -> FrozenSet[str]:
        """Every policy term in the text, generic ones included (户口, 落户 …)."""
        return self._all_terms(text)

    def names_policy(self, text: str) -> bool:
        """A policy term (户口, 落户, 投靠 …; not only who, where or which diploma)."""
        return bool(self._all_terms(text))

    def names_hukou(self, text: str) -> bool:
        """A term of household registration itself (户口, 落户, 居住证, 身份证 …), not only of a field
        the document reforms beside it (医保, 宅基地, 公积金 …)."""
        text = plain_phrases(normalise(text))
        return any(word_spans(text, form) for form in self._hukou_forms)

    def names_cited_term(self, text: str) -> bool:
        """A term of household registration or the reform, not only one the glossary notes as outside
        the document (户口簿, 身份证, 派出所: "《实施意见》未作规定"), or a newcomer's standing (外地 …)."""
        if self._all_terms(text) - self._outside_document:
            return True
        said = normalise(text)
        return any(normalise(str(w)) in said for w in self.kb.messages.get("newcomer_words") or ())

    def names_settling(self, text: str) -> bool:
        """Settling itself (落户, 迁过来, 投靠, 集体户, 合法稳定住所 …), not only 户口 ("离婚后户口怎么处理")."""
        text = plain_phrases(normalise(text))
        return any(word_spans(text, form) for form in self._settling_forms)

    def shares_topic(self, text: str, faq: FaqEntry) -> bool:
        """The question names a topic the entry speaks of (stricter than :meth:`fits`, which lets
        a question that names no topic fit any entry)."""
        return bool(self.asked(text) & self.of_faq(faq))

    def of_services(self, faq: FaqEntry) -> bool:
        """An entry that answers only with the services section's articles (land, school, insurance …)."""
        articles = self.kb.document.articles
        return bool(faq.articles) and all(
            a in articles and articles[a].section == SERVICES_SECTION for a in faq.articles
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

    def of_the_reform_itself(self, faq: FaqEntry) -> bool:
        """An entry on the reform as a whole: its basis (the opening paragraph), goals and principles
        (section 一) or its organisation (section 五), not on any matter residents bring."""
        articles = self.kb.document.articles
        return bool(faq.articles) and all(
            a == "preamble" or (a in articles and articles[a].section in REFORM_SECTIONS) for a in faq.articles
        )

    def of_another_office_only(self, text: str) -> bool:
        """The question's topics (not 户口, 落户 …) are all terms of another office's field — land,
        insurance, health, funding (their notes cite only such articles of the services section):
        "南昌市个人灵活就业社保怎么交", "江苏省……能拥有多少宅基地"."""
        topics = self.topics(text)
        if not topics or self.names_settling(text):
            return False
        notes = {t.term: t.note for t in self.kb.glossary}
        articles = self.kb.document.articles
        cited = {a for term in topics for a in _CITED_ARTICLE.findall(notes.get(term, ""))}
        return bool(cited) and all(
            a in articles and articles[a].section == SERVICES_SECTION and a not in NEWCOMER_RULES_ARTICLES
            for a in cited
        )

    def quotes_entry(self, text: str, faq: FaqEntry) -> bool:
        """The question quotes four or more characters of the entry's own words, its answer included
        ("城乡人口管理一体化是什么意思")."""
        text, own = normalise(text), normalise(entry_text(faq))
        return any(text[i : i + QUOTE_CHARS] in own for i in range(max(0, len(text) - QUOTE_CHARS + 1)))

    def of_faq(self, faq: FaqEntry) -> FrozenSet[str]:
        return self._by_faq.get(faq.id, frozenset())

    def asked(self, text: str) -> FrozenSet[str]:
        """The question's topics that an entry can be about (not 户口簿, 身份证 …)."""
        return self.topics(text) - self._uncited

    def fits(self, text: str, faq: FaqEntry) -> bool:
        """False when the question names a topic and the entry speaks of none of its topics."""
        asked = self.asked(text)
        return not asked or bool(asked & self.of_faq(faq))

    def first_fitting(self, text: str, faqs: Iterable[FaqEntry]) -> FaqEntry | None:
        """The first entry that speaks of a topic the question names (None if it names none)."""
        asked = self.asked(text)
        return next((faq for faq in faqs if asked & self.of_faq(faq)), None) if asked else None
