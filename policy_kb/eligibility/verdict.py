"""The Chinese verdict at the end of an eligibility check, composed from the result and the KB.

Each pathway is its own paragraph with its legal basis last; what to prepare quotes the document
("有效证件和证明材料") and adds further items only from the operator's configuration, labelled
as such; then where to apply and the hotline. Paragraphs are separate messages (one idea each).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, List, Optional

from policy_kb.eligibility.model import DISTRICT_FIELD

if TYPE_CHECKING:
    from policy_kb.eligibility.engine import EligibilityResult, Finding
    from policy_kb.model import KnowledgeBase


def _fill(kb: "KnowledgeBase", template: str, office: str) -> str:
    return template.format(office=office, hotline=kb.operator.hotline_number, hotline_name=kb.operator.hotline_name)


def _office_name(kb: "KnowledgeBase", district: Optional[str]) -> str:
    office = kb.operator.offices.get(district or "")
    return office.name if office else kb.operator.general_office


def _office_details(kb: "KnowledgeBase", district: Optional[str]) -> str:
    """The office for the resident's district, never a guessed address."""
    office = kb.operator.offices.get(district or "")
    if office is None:
        return kb.operator.general_office
    details = [v for v in (office.address, office.phone, office.hours) if v] or ["具体地址和电话请以当地公布为准"]
    return "，".join([office.name, *details])


def _pathway(kb: "KnowledgeBase", finding: "Finding") -> str:
    return f"【{finding.title}】{finding.reason}\n{kb.citation([finding.article])}"


def _section(kb: "KnowledgeBase", headline: str, findings: List["Finding"]) -> List[str]:
    blocks = [_pathway(kb, f) for f in findings]
    if blocks:
        blocks[0] = f"{headline}\n{blocks[0]}"
    return blocks


def _why_not(kb: "KnowledgeBase", result: "EligibilityResult") -> List[str]:
    """When nothing applies, each pathway's own reason, so the resident sees what the document says."""
    return [f"· {f.title}（{kb.document.citation_labels([f.article])[0]}）：{f.reason}" for f in result.ruled_out]


def _operator_lines(kb: "KnowledgeBase", result: "EligibilityResult", office: str) -> List[str]:
    """Operator-supplied facts for the pathways found: material hints, local details, office, hotline."""
    texts = result.rules.verdict
    rules = [result.rules.rule(f.rule) for f in result.applicable + result.possible]
    notes = kb.operator.materials_notes
    keys = list(dict.fromkeys([r.materials for r in rules if r.materials] + ["general"]))
    lines = [str(notes[k]) for k in keys if notes.get(k)]
    local = kb.operator.eligibility_notes
    lines += [str(local[r.operator_note]) for r in rules if r.operator_note and local.get(r.operator_note)]
    lines.append(_fill(kb, texts["office"], office))
    lines.append(_fill(kb, texts["hotline"], office))
    return lines


def _how_to_apply(kb: "KnowledgeBase", result: "EligibilityResult") -> str:
    district = result.profile.get(DISTRICT_FIELD)
    office = _office_details(kb, district)
    lines = [result.rules.verdict["materials"]] if result.applicable or result.possible else []
    lines.append(kb.messages["operator_info_label"])
    lines += _operator_lines(kb, result, office)
    return "\n".join(lines)


def verdict_parts(result: "EligibilityResult", kb: "KnowledgeBase") -> List[str]:
    """The verdict as separate messages: pathways (each with its basis), notes, how to apply."""
    texts = result.rules.verdict
    parts = [] if result.decided else [texts["pending"]]
    parts += _section(kb, texts["applicable"], result.applicable)
    parts += _section(kb, texts["also_possible" if result.applicable else "possible"], result.possible)
    if result.fallback is not None:
        office = _office_name(kb, result.profile.get(DISTRICT_FIELD))
        if not result.possible:
            parts.append("\n".join([_fill(kb, texts["none_applicable"], office), *_why_not(kb, result)]))
        parts.append(_pathway(kb, result.fallback))
    parts += [f"{note.reason}\n{kb.citation([note.article])}" for note in result.notes]
    if result.decided:
        parts.append(_how_to_apply(kb, result))
    return parts


def verdict_text(result: "EligibilityResult", kb: "KnowledgeBase") -> str:
    """The whole verdict as one text; paragraphs (one message each) are separated by a blank line."""
    return "\n\n".join(verdict_parts(result, kb))
