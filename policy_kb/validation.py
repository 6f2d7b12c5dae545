"""Consistency rules for the knowledge base, each returning problems in Chinese."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, List, Optional

from policy_kb.answers import RURAL_LAND_TERMS, faq_reply
from policy_kb.eligibility.model import DISTRICT_FIELD
from policy_kb.model import (
    ENTITY_TYPES,
    FAQ_STATUSES,
    PREAMBLE,
    REQUIRED_MESSAGES,
    WECHAT_TEXT_LIMIT_BYTES,
    FaqEntry,
    KnowledgeBase,
)

# What answers.py fills into an answer; anything else in braces would crash the reply.
PLACEHOLDERS = "{hotline}、{hotline_name}、{office}"


@dataclass(frozen=True)
class Finding:
    """A problem with one FAQ entry, naming the field (and list item) so tools can point at it."""

    field: str
    message: str
    item: Optional[int] = None


def faq_findings(kb: "KnowledgeBase", faq: FaqEntry) -> List[Finding]:
    """Every problem with one entry: citations, cross-references, status, size of the reply."""
    findings = [
        Finding("articles", f"引用了不存在的条款 “{ref}”", i)
        for i, ref in enumerate(faq.articles)
        if ref != PREAMBLE and ref not in kb.document.articles
    ]
    findings += [
        Finding("related", f"related 指向不存在的条目 {ref}", i)
        for i, ref in enumerate(faq.related)
        if ref not in kb.faqs
    ]
    if faq.status not in FAQ_STATUSES:
        findings.append(Finding("status", f"status 只能是 published 或 draft，实际为 {faq.status}"))
    if faq.published and not faq.articles:
        findings.append(Finding("articles", "已发布的条目必须引用至少一条条款"))
    if not findings and not _message_problems(kb):  # a reply can only be composed from valid parts
        findings += _reply_findings(kb, faq)
    return findings


def _reply_findings(kb: "KnowledgeBase", faq: FaqEntry) -> List[Finding]:
    """Compose the reply exactly as residents get it: a wrong placeholder would crash the bot, and
    WeChat refuses a text over its byte limit. The worst case is measured: a question that mentions
    contracted land gets the land note and one more citation appended."""
    try:
        size = max(len(faq_reply(kb, faq, text).text.encode("utf-8")) for text in ("", RURAL_LAND_TERMS[0]))
    except KeyError as error:
        return [Finding("answer", f"答案里的占位符 {{{error.args[0]}}} 不存在，只能使用 {PLACEHOLDERS}")]
    except (IndexError, ValueError):
        return [Finding("answer", f"答案里的大括号只能用来写占位符 {PLACEHOLDERS}")]
    if size > WECHAT_TEXT_LIMIT_BYTES:
        return [Finding("answer", f"答案连同依据共 {size} 字节，超过微信 {WECHAT_TEXT_LIMIT_BYTES} 字节上限")]
    return []


def _faq_problems(kb: "KnowledgeBase") -> List[str]:
    return [
        f"{faq.source} 中的 {faq.id}：{finding.message}"
        for faq in kb.faqs.values()
        for finding in faq_findings(kb, faq)
    ]


def _glossary_problems(kb: "KnowledgeBase") -> List[str]:
    problems = []
    owner: Dict[str, str] = {}
    for term in kb.glossary:
        if term.entity is not None and term.entity not in ENTITY_TYPES:
            problems.append(f"glossary.yml 中的 {term.term}：未知实体类型 {term.entity}")
        for form in term.surface_forms:
            if form in owner and owner[form] != term.term:
                problems.append(f"glossary.yml：“{form}” 同时属于 {owner[form]} 和 {term.term}")
            owner[form] = term.term
    return problems


def _message_problems(kb: "KnowledgeBase") -> List[str]:
    return [f"messages.yml：缺少 {key}" for key in REQUIRED_MESSAGES if key not in kb.messages]


def _eligibility_problems(kb: "KnowledgeBase") -> List[str]:
    """The eligibility rules point at operator settings that exist (the rules file itself is
    checked when it is parsed)."""
    rules, operator = kb.eligibility, kb.operator
    if rules is None:
        return []
    where = "eligibility.yml"
    district = rules.fields.get(DISTRICT_FIELD)
    problems = [
        f"{where}：区县 “{value}” 在 operator.yml 的 offices 里没有窗口"
        for value in (district.values if district else ())
        if value not in operator.offices
    ]
    for rule in rules.rules:
        if rule.materials and rule.materials not in operator.materials_notes:
            problems.append(f"{where} 中的规则 {rule.id}：operator.yml 的 materials_notes 没有 {rule.materials}")
        if rule.operator_note and rule.operator_note not in operator.eligibility_notes:
            problems.append(f"{where} 中的规则 {rule.id}：operator.yml 的 eligibility_notes 没有 {rule.operator_note}")
    return problems


def validate(kb: "KnowledgeBase") -> List[str]:
    """Every citation resolves, every cross-reference exists, every required text is present."""
    return _faq_problems(kb) + other_problems(kb)


def other_problems(kb: "KnowledgeBase") -> List[str]:
    """The problems outside the FAQ entries (glossary, messages, eligibility rules)."""
    return _glossary_problems(kb) + _message_problems(kb) + _eligibility_problems(kb)
