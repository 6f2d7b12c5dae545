"""Consistency rules for the knowledge base, each returning problems in Chinese."""

from __future__ import annotations

from typing import TYPE_CHECKING, Dict, List

from policy_kb.eligibility.model import DISTRICT_FIELD
from policy_kb.model import (
    ENTITY_TYPES,
    FAQ_STATUSES,
    PREAMBLE,
    REQUIRED_MESSAGES,
    WECHAT_TEXT_LIMIT_BYTES,
)

if TYPE_CHECKING:
    from policy_kb.loader import KnowledgeBase


def _faq_problems(kb: "KnowledgeBase") -> List[str]:
    problems = []
    for faq in kb.faqs.values():
        where = f"{faq.source} 中的 {faq.id}"
        for ref in faq.articles:
            if ref != PREAMBLE and ref not in kb.document.articles:
                problems.append(f"{where}：引用了不存在的条款 “{ref}”")
        for related in faq.related:
            if related not in kb.faqs:
                problems.append(f"{where}：related 指向不存在的条目 {related}")
        if faq.status not in FAQ_STATUSES:
            problems.append(f"{where}：status 只能是 published 或 draft，实际为 {faq.status}")
        if faq.published and not faq.articles:
            problems.append(f"{where}：已发布的条目必须引用至少一条条款")
        size = len(faq.answer.encode("utf-8")) + 200  # room for the citation line
        if size > WECHAT_TEXT_LIMIT_BYTES:
            problems.append(f"{where}：答案连同依据超过微信 {WECHAT_TEXT_LIMIT_BYTES} 字节上限")
    return problems


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
    return _faq_problems(kb) + _glossary_problems(kb) + _message_problems(kb) + _eligibility_problems(kb)
