"""Typed records for the policy document, the FAQ, the glossary and the operator settings, and the
knowledge base that holds them (read by policy_kb.loader, which is the only module that builds one)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Dict, List, Optional, Tuple

from policy_kb.eligibility.model import EligibilityRules

PREAMBLE = "preamble"
ENTITY_TYPES = ("district", "housing_type", "relation", "education", "other_city")
FAQ_STATUSES = ("published", "draft")
# Intents of the classifier (data/nlu) that the responder routes on besides faq_*: a detail the
# document leaves open, and messages about something else or another city (data/stories/edges.yml).
NOT_COVERED_INTENT = "ask_not_covered"
OFF_TOPIC_INTENTS = ("out_of_scope", "ask_other_city")
# WeChat refuses passive text replies longer than this many UTF-8 bytes.
WECHAT_TEXT_LIMIT_BYTES = 2047
REQUIRED_MESSAGES = (
    "greet",
    "help",
    "thank",
    "goodbye",
    "handoff",
    "handoff_waiting",
    "handoff_unavailable",
    "handoff_gave_up",
    "staff_reply",
    "handback",
    "rating_useful",
    "rating_not_useful",
    "rating_thanks",
    "rating_sorry",
    "other_city",
    "out_of_scope",
    "not_covered",
    "not_covered_topics",
    "fallback",
    "service_unavailable",
    "empty_input",
    "too_long",
    "unsupported_input",
    "citation_prefix",
    "operator_info_label",
    "rural_land_note",
    "status_unavailable",
    "status_ask_number",
    "status_ask_id_tail",
    "status_bad_number",
    "status_bad_id_tail",
    "status_not_found",
    "status_locked",
    "status_result",
    "status_note",
    "status_stopped",
    "eligibility_start",
    "eligibility_hint",
    "eligibility_corrected",
    "eligibility_restart",
    "eligibility_stopped",
    "eligibility_offer",
    "eligibility_gave_up",
    "acknowledge",
)


@dataclass(frozen=True)
class Article:
    number: str  # the document's own numeral: "三" for （三）
    index: int
    section: str
    heading: str
    text: str

    @property
    def label(self) -> str:
        return f"第（{self.number}）条"


@dataclass(frozen=True)
class FaqEntry:
    id: str
    intent: str
    question: str
    phrasings: Tuple[str, ...]
    answer: str
    articles: Tuple[str, ...]
    related: Tuple[str, ...] = ()
    owner: str = ""
    status: str = "published"
    review_by: Optional[date] = None
    source: str = ""  # file the entry came from, for error messages

    @property
    def published(self) -> bool:
        return self.status == "published"


@dataclass(frozen=True)
class GlossaryTerm:
    term: str
    synonyms: Tuple[str, ...] = ()
    entity: Optional[str] = None
    note: str = ""

    @property
    def surface_forms(self) -> Tuple[str, ...]:
        return (self.term, *self.synonyms)


@dataclass(frozen=True)
class Office:
    district: str
    name: str
    address: Optional[str] = None
    phone: Optional[str] = None
    hours: Optional[str] = None


@dataclass(frozen=True)
class OperatorConfig:
    """Operator-supplied facts that the policy document does not contain."""

    disclaimer: str
    hotline_number: str
    hotline_name: str
    general_office: str
    offices: Dict[str, Office] = field(default_factory=dict)
    notes: Dict[str, Optional[str]] = field(default_factory=dict)
    materials_notes: Dict[str, Optional[str]] = field(default_factory=dict)
    # local details the document leaves undefined (how long is 长期, which trades are 艰苦), by pathway
    eligibility_notes: Dict[str, Optional[str]] = field(default_factory=dict)

    @property
    def hotline(self) -> str:
        return f"{self.hotline_name}（{self.hotline_number}）"


@dataclass(frozen=True)
class Document:
    title: str
    preamble: str
    basis: Tuple[Tuple[str, str], ...]  # (code, title)
    articles: Dict[str, Article]
    sections: Dict[str, str]

    def citation_labels(self, refs: List[str]) -> List[str]:
        return ["开篇引言" if ref == PREAMBLE else self.articles[ref].label for ref in refs]


@dataclass(frozen=True)
class KnowledgeBase:
    """The policy data as loaded and validated (policy_kb.loader builds it): what answering reads."""

    document: Document
    faqs: Dict[str, FaqEntry]  # by id, in file order
    glossary: List[GlossaryTerm]
    operator: OperatorConfig
    messages: Dict[str, Any]
    eligibility: EligibilityRules  # questions and rules of the step-by-step eligibility check
    other_places: Tuple[str, ...] = ()  # places.yml: other provinces and cities (never Shaoguan's own)

    def published_faqs(self) -> List[FaqEntry]:
        return [faq for faq in self.faqs.values() if faq.published]

    def faqs_for_intent(self, intent: str) -> List[FaqEntry]:
        return [faq for faq in self.published_faqs() if faq.intent == intent]

    def faq_intents(self) -> List[str]:
        return sorted({faq.intent for faq in self.published_faqs()})

    def citation(self, refs: List[str]) -> str:
        labels = "、".join(self.document.citation_labels(list(refs)))
        return f"{self.messages['citation_prefix']}{labels}"
