"""Which settling pathways apply to a resident, which do not and why, and what to ask next.

A profile is a dict of answers, ``{"housing": "rented", "housing_area": "town"}``; a field that was
never asked is absent (or ``None``), a field the resident could not answer is ``"unknown"``. Every
condition comes out met, not met, missing (ask it) or unclear (the resident does not know, or
the document does not say): an unclear answer never rules a pathway out, it makes it *possible*.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Collection, Dict, List, Optional, Tuple

from policy_kb.eligibility.model import UNKNOWN, Condition, EligibilityRules, Leaf, ProfileField, Rule, leaves
from policy_kb.eligibility.rules import load_rules

MET, NOT_MET, MISSING, UNCLEAR = "met", "not_met", "missing", "unclear"
FOUND = (MET, UNCLEAR, NOT_MET)


class ProfileError(ValueError):
    """The profile names a field or a value the rules do not define; ``problems`` are in Chinese."""

    def __init__(self, problems: List[str]):
        self.problems = problems
        super().__init__("；".join(problems))


@dataclass(frozen=True)
class Finding:
    rule: str
    article: str
    title: str
    reason: str
    answers: Dict[str, str]  # the answers that decided it


@dataclass(frozen=True)
class Step:
    rule: str  # rule or note id
    field: str
    value: Optional[str]
    outcome: str  # met | not_met | missing | unclear


@dataclass(frozen=True)
class Check:
    state: str
    asks: Tuple[str, ...] = ()  # fields to ask next, when missing
    reasons: Tuple[str, ...] = ()  # why not met, or why unclear
    answers: Dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class EligibilityResult:
    applicable: List[Finding]
    possible: List[Finding]  # applies if an unclear point is confirmed at the office
    ruled_out: List[Finding]
    unchecked: List[str]  # rules left open because another pathway already applies
    questions: List[str]  # field ids, the first is the next to ask; empty when decided
    notes: List[Finding]
    fallback: Optional[Finding]  # the residence permit, when no pathway applies
    profile: Dict[str, str]
    trace: List[Step]
    rules: EligibilityRules = field(repr=False, compare=False)

    @property
    def decided(self) -> bool:
        return not self.questions

    def explain(self) -> List[str]:
        """One line per rule and note: which answers triggered it, and the outcome."""
        outcome = {note.id: "not shown" for note in self.rules.notes}
        outcome.update({f.rule: kind for kind, group in self._groups() for f in group})
        lines = []
        for rule_id in dict.fromkeys(step.rule for step in self.trace):
            steps = [s for s in self.trace if s.rule == rule_id]
            answered = ", ".join(f"{s.field}={s.value} ({s.outcome})" for s in steps if s.value is not None)
            missing = ", ".join(s.field for s in steps if s.value is None)
            line = f"{rule_id} -> {outcome.get(rule_id, 'open')}: {answered or 'no answers yet'}"
            lines.append(line + (f"; not asked: {missing}" if missing else ""))
        return lines

    def _groups(self):
        return (
            ("applicable", self.applicable),
            ("possible", self.possible),
            ("ruled_out", self.ruled_out),
            ("note", self.notes),
        )

    def to_dict(self) -> Dict:
        next_field = self.rules.fields[self.questions[0]] if self.questions else None
        return {
            "decided": self.decided,
            **{name: [vars(f) for f in group] for name, group in self._groups()[:3]},
            "unchecked": self.unchecked,
            "questions": self.questions,
            "next_question": next_field and _question(next_field),
            "notes": [vars(f) for f in self.notes],
            "fallback": self.fallback and vars(self.fallback),
            "explain": self.explain(),
        }


def _question(spec: ProfileField) -> Dict:
    return {"field": spec.id, "text": spec.question, "options": spec.buttons()}


# ── evaluation ───────────────────────────────────────────────────────────────────────────


class _Checker:
    """Evaluates conditions against one profile, recording every answer it looks at."""

    def __init__(self, profile: Dict[str, str], trace: List[Step]):
        self.profile, self.trace = profile, trace

    def check(self, cond: Condition, owner: str) -> Check:
        if isinstance(cond, Leaf):
            result = self._leaf(cond)
            self.trace.append(Step(owner, cond.field, self.profile.get(cond.field), result.state))
            return result
        parts = [self.check(child, owner) for child in cond.children]
        return _combine_all(parts, cond.not_met) if cond.mode == "all" else _combine_any(parts, cond.not_met)

    def _leaf(self, leaf: Leaf) -> Check:
        value = self.profile.get(leaf.field)
        if value is None:
            return Check(MISSING, asks=(leaf.field,))
        answers = {leaf.field: value}
        if value in leaf.accepted:
            return Check(MET, answers=answers)
        if value == UNKNOWN or value in leaf.silent:
            return Check(UNCLEAR, reasons=_present(leaf.silent.get(value, leaf.unsure)), answers=answers)
        return Check(NOT_MET, reasons=_present(leaf.not_met_for.get(value, leaf.not_met)), answers=answers)


def _present(text: str) -> Tuple[str, ...]:
    return (text,) if text else ()


def _merged(parts: List[Check], state: str) -> Dict[str, str]:
    return {k: v for part in parts if part.state == state for k, v in part.answers.items()}


def _combine_all(parts: List[Check], not_met: str) -> Check:
    failed = [p for p in parts if p.state == NOT_MET]
    if failed:
        return Check(NOT_MET, reasons=_present(not_met) or failed[0].reasons, answers=failed[0].answers)
    if all(p.state == MET for p in parts):
        return Check(MET, answers=_merged(parts, MET))
    missing = [p for p in parts if p.state == MISSING]
    if missing:  # a later condition matters only once the earlier ones are answered
        return Check(MISSING, asks=missing[0].asks)
    return Check(UNCLEAR, reasons=tuple(r for p in parts for r in p.reasons), answers=_merged(parts, UNCLEAR))


def _combine_any(parts: List[Check], not_met: str) -> Check:
    met = [p for p in parts if p.state == MET]
    if met:
        return met[0]
    if all(p.state == NOT_MET for p in parts):
        return Check(NOT_MET, reasons=_present(not_met) or parts[0].reasons, answers=_merged(parts, NOT_MET))
    missing = [p for p in parts if p.state == MISSING]
    if missing:
        return Check(MISSING, asks=missing[0].asks)
    unclear = [p for p in parts if p.state == UNCLEAR]
    return Check(UNCLEAR, reasons=tuple(r for p in unclear for r in p.reasons), answers=_merged(parts, UNCLEAR))


def _details(rule: Rule, profile: Dict[str, str]) -> List[str]:
    quiet = _Checker(profile, [])  # details only add wording; the trace is about deciding
    return [d.text for d in rule.details if quiet.check(d.when, rule.id).state == MET]


def _finding(rule: Rule, outcome: Check, profile: Dict[str, str]) -> Finding:
    if outcome.state == MET:
        reason = "".join([rule.reason, *_details(rule, profile)])
    elif outcome.state == UNCLEAR:
        reason = "".join([rule.unsure, *dict.fromkeys(outcome.reasons)])
    else:
        reason = "".join(outcome.reasons)
    return Finding(rule.id, rule.article, rule.title, reason, dict(outcome.answers))


def _touched(rule: Rule, profile: Dict[str, str], settled_fields: set) -> bool:
    """Has the resident told us something about this pathway that the applicable ones did not use?"""
    return any(leaf.field in profile and leaf.field not in settled_fields for leaf in leaves(rule.when))


def _questions(
    open_rules: List[Tuple[Rule, Check]], profile: Dict[str, str], applicable: List[Rule], mentioned: Collection[str]
) -> List[str]:
    """Once a pathway applies, ask only about pathways the resident already started describing
    ("本科毕业，在浈江区租房" still gets the town question); until then ask for every open pathway,
    the ones already started first. A pathway whose subject the resident brought up ("在煤矿井下
    做咗十年") is asked about last, that question first, even once another pathway applies."""
    settled = {leaf.field for rule in applicable for leaf in leaves(rule.when)}
    hinted = {f for f in mentioned if f not in profile}

    def asks(rule: Rule, check: Check) -> List[str]:
        return [leaf.field for leaf in leaves(rule.when) if leaf.field in hinted] + list(check.asks)

    touched = [(r, c) for r, c in open_rules if _touched(r, profile, settled)]
    untouched = [] if applicable else [(r, c) for r, c in open_rules if not _touched(r, profile, settled)]
    brought_up = [(r, c) for r, c in open_rules if any(leaf.field in hinted for leaf in leaves(r.when))]
    return list(dict.fromkeys(f for rule, check in touched + untouched + brought_up for f in asks(rule, check)))


def validate_profile(profile: Dict, rules: EligibilityRules) -> Dict[str, str]:
    """The answers given (``None`` dropped); raise :class:`ProfileError` on an unknown field or value."""
    if not isinstance(profile, dict):
        raise ProfileError(['资料应为 JSON 对象，例如 {"housing": "rented"}'])
    problems, answers = [], {}
    for key, value in profile.items():
        if value is None:
            continue
        spec = rules.fields.get(key)
        if spec is None:
            problems.append(f"未知的问题项 “{key}”（可用：{'、'.join(rules.fields)}）")
        elif not isinstance(value, str) or value not in (*spec.values, UNKNOWN):
            problems.append(f"{key} 的答案 “{value}” 无效（可选：{'、'.join((*spec.values, UNKNOWN))}）")
        else:
            answers[key] = value
    if problems:
        raise ProfileError(problems)
    return answers


def evaluate(
    profile: Dict, rules: Optional[EligibilityRules] = None, mentioned: Collection[str] = ()
) -> EligibilityResult:
    """Every pathway that applies, those that may apply or do not and why, and what to ask next.
    ``mentioned``: fields whose subject the resident brought up without answering them."""
    rules = rules or load_rules()
    answers = validate_profile(profile, rules)
    trace: List[Step] = []
    checker = _Checker(answers, trace)
    outcomes = [(rule, checker.check(rule.when, rule.id)) for rule in rules.rules]
    found = {state: [_finding(r, c, answers) for r, c in outcomes if c.state == state] for state in FOUND}
    open_rules = [(r, c) for r, c in outcomes if c.state == MISSING]
    questions = _questions(open_rules, answers, [r for r, c in outcomes if c.state == MET], mentioned)
    notes = [Finding(n.id, n.article, "", n.text, {}) for n in rules.notes if checker.check(n.when, n.id).state == MET]
    fallback = None
    if not found[MET] and not questions:
        fb = rules.fallback
        fallback = Finding(fb.id, fb.article, fb.title, fb.text, {})
    return EligibilityResult(
        applicable=found[MET],
        possible=found[UNCLEAR],
        ruled_out=found[NOT_MET],
        unchecked=[r.id for r, c in open_rules if not set(c.asks) & set(questions)],
        questions=questions,
        notes=notes,
        fallback=fallback,
        profile=answers,
        trace=trace,
        rules=rules,
    )
