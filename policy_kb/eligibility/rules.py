"""The eligibility rules as data: parse and check ``data/eligibility.yml``.

The file holds every condition and every sentence, so the 户政 team can change a rule without
touching Python. Problems are collected in Chinese, all at once, like the rest of the KB.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Tuple

import yaml

from platform_core.paths import POLICY_DATA
from policy_kb.eligibility.model import (
    UNKNOWN,
    AgeRule,
    Condition,
    Detail,
    EligibilityRules,
    Fallback,
    Group,
    Leaf,
    Note,
    Option,
    ProfileField,
    Rule,
)
from policy_kb.text import normalise
from policy_kb.yaml_io import load_yaml

DATA_DIR = POLICY_DATA
RULES_FILE = "eligibility.yml"
VERDICT_TEXTS = (
    "applicable",
    "possible",
    "also_possible",
    "none_applicable",
    "pending",
    "materials",
    "office",
    "hotline",
)


class EligibilityRulesError(ValueError):
    """The rules file is invalid; ``problems`` lists every mistake found, in Chinese."""

    def __init__(self, problems: List[str]):
        self.problems = problems
        super().__init__("落户判断规则校验失败：\n" + "\n".join(f"- {p}" for p in problems))


# ── parsing ──────────────────────────────────────────────────────────────────────────────


def _value(raw: Any) -> str:
    """YAML 1.1 reads a bare yes/no as a boolean; an editor who forgets the quotes still means the word."""
    if isinstance(raw, bool):
        return "yes" if raw else "no"
    return str(raw)


def _words(raw: Iterable[Any]) -> Tuple[str, ...]:
    return tuple(normalise(str(w)) for w in raw or [])


def _optional(item: Dict[str, Any], key: str) -> Optional[str]:
    return _value(item[key]) if item.get(key) is not None else None


def _parse_ages(raw: Optional[Dict[str, Any]]) -> Optional[AgeRule]:
    return AgeRule(_words(raw["words"]), int(raw["under"]), _value(raw["value"])) if raw else None


def _parse_field(item: Dict[str, Any]) -> ProfileField:
    years = item.get("mention_years")
    return ProfileField(
        id=str(item["id"]),
        question=str(item["question"]).strip(),
        options=tuple(Option(str(o["title"]), _value(o["value"])) for o in item.get("options") or []),
        words={_value(value): _words(words) for value, words in (item.get("values") or {}).items()},
        negated=_optional(item, "negated"),
        negated_alone=_optional(item, "negated_alone"),
        prefer=_optional(item, "prefer"),
        tie_break=_optional(item, "tie_break"),
        ages=_parse_ages(item.get("ages")),
        mentions=_words(item.get("mentions")),
        mention_years=int(years) if years is not None else None,
        ignore_elsewhere=bool(item.get("ignore_elsewhere")),
        near=_optional(item, "near"),
    )


def _parse_condition(raw: Dict[str, Any]) -> Condition:
    for mode in ("all", "any"):
        if mode in raw:
            children = tuple(_parse_condition(child) for child in raw[mode] or [])
            return Group(mode, children, str(raw.get("not_met") or ""))
    return Leaf(
        field=str(raw["field"]),
        accepted=tuple(_value(v) for v in raw.get("in") or []),
        not_met=str(raw.get("not_met") or ""),
        not_met_for={_value(k): str(v) for k, v in (raw.get("not_met_for") or {}).items()},
        silent={_value(k): str(v) for k, v in (raw.get("silent") or {}).items()},
        unsure=str(raw.get("unsure") or ""),
    )


def _parse_rule(item: Dict[str, Any]) -> Rule:
    details = tuple(Detail(_parse_condition(d["when"]), str(d["text"])) for d in item.get("details") or [])
    return Rule(
        id=str(item["id"]),
        article=str(item["article"]),
        title=str(item["title"]),
        when=_parse_condition(item["when"]),
        reason=str(item["reason"]).strip(),
        unsure=str(item.get("unsure") or "").strip(),
        details=details,
        materials=str(item.get("materials") or ""),
        operator_note=str(item.get("operator_note") or ""),
    )


def _parse_fallback(item: Dict[str, Any]) -> Fallback:
    return Fallback(**{key: str(item[key]) for key in ("id", "article", "title", "text")})


def _parse_each(items: Any, parse, what: str, problems: List[str]) -> list:
    """Parse every item, reporting a malformed one instead of stopping at it."""
    parsed = []
    for position, item in enumerate(items or [], start=1):
        try:
            parsed.append(parse(item))
        except (KeyError, TypeError, AttributeError) as error:
            name = item.get("id", f"第 {position} 项") if isinstance(item, dict) else f"第 {position} 项"
            problems.append(f"{RULES_FILE} 中的{what} {name}：格式错误或缺少字段 {error}")
    return parsed


def parse_rules(raw: Dict[str, Any], articles: Iterable[str]) -> Tuple[Optional[EligibilityRules], List[str]]:
    """Build the rules from the YAML mapping and check them against the article numbers."""
    problems: List[str] = []
    fields = _parse_each(raw.get("fields"), _parse_field, "问题", problems)
    rules = _parse_each(raw.get("rules"), _parse_rule, "规则", problems)
    notes = _parse_each(
        raw.get("notes"),
        lambda n: Note(str(n["id"]), str(n["article"]), _parse_condition(n["when"]), str(n["text"])),
        "提示",
        problems,
    )
    fallback = _parse_each([raw.get("fallback")], _parse_fallback, "fallback", problems)
    if problems:
        return None, problems
    result = EligibilityRules(
        fields={f.id: f for f in fields},
        rules=tuple(rules),
        notes=tuple(notes),
        fallback=fallback[0],
        verdict={str(k): str(v) for k, v in (raw.get("verdict") or {}).items()},
        unknown_words=_words(raw.get("unknown_words")),
        negators=_words(raw.get("negators")),
        self_words=_words(raw.get("self_words")),
        elsewhere_words=_words(raw.get("elsewhere_words")),
        in_passing_skip={str(k): tuple(map(_value, v or [])) for k, v in (raw.get("in_passing_skip") or {}).items()},
    )
    return result, rule_problems(result, set(articles), [f.id for f in fields])


# ── checks ───────────────────────────────────────────────────────────────────────────────


def _field_problems(item: ProfileField) -> List[str]:
    where = f"{RULES_FILE} 中的问题 {item.id}"
    problems = [] if item.question else [f"{where}：缺少 question"]
    if len(item.values) < 2 or UNKNOWN in item.values:
        problems.append(f"{where}：values 至少要有两个答案，且不能自己定义 {UNKNOWN}")
    allowed = set(item.values) | {UNKNOWN}
    for option in item.options:
        if option.value not in allowed:
            problems.append(f"{where}：按钮 “{option.title}” 的 value “{option.value}” 不在 values 里")
    if not item.options:
        problems.append(f"{where}：缺少 options（快捷按钮）")
    checked = ("negated", item.negated), ("negated_alone", item.negated_alone), ("prefer", item.prefer)
    checked += (("tie_break", item.tie_break),)
    for key, value in (*checked, ("ages", item.ages and item.ages.value)):
        if value is not None and value not in item.values:
            problems.append(f"{where}：{key} “{value}” 不在 values 里")
    return problems + _word_clashes(item, where)


def _word_clashes(item: ProfileField, where: str) -> List[str]:
    owner: Dict[str, str] = {}
    problems = []
    for value, words in item.words.items():
        for word in words:
            if word in owner and owner[word] != value:
                problems.append(f"{where}：说法 “{word}” 同时属于 {owner[word]} 和 {value}")
            owner[word] = value
    return problems


def _leaf_problems(leaf: Leaf, fields: Dict[str, ProfileField], where: str, needs_reason: bool) -> List[str]:
    if leaf.field not in fields:
        return [f"{where}：条件用到了未定义的问题 {leaf.field}"]
    allowed = set(fields[leaf.field].values)
    used = [*leaf.accepted, *leaf.silent, *leaf.not_met_for]
    problems = [f"{where}：{leaf.field} 没有答案 “{v}”（可选：{'、'.join(allowed)}）" for v in used if v not in allowed]
    if not leaf.accepted:
        problems.append(f"{where}：{leaf.field} 的条件缺少 in")
    if set(leaf.accepted) & set(leaf.silent):
        problems.append(f"{where}：{leaf.field} 的同一个答案不能既在 in 又在 silent 里")
    if needs_reason and not leaf.not_met:
        problems.append(f"{where}：{leaf.field} 的条件缺少 not_met（不满足时给居民的说明）")
    return problems


def _condition_problems(cond: Condition, fields: Dict[str, ProfileField], where: str, needs_reason: bool) -> List[str]:
    if isinstance(cond, Leaf):
        return _leaf_problems(cond, fields, where, needs_reason)
    problems = [] if cond.children else [f"{where}：{cond.mode} 下面没有条件"]
    if needs_reason and cond.mode == "any" and not cond.not_met:
        problems.append(f"{where}：any 条件缺少 not_met（都不满足时给居民的说明）")
    inner = needs_reason and cond.mode == "all"  # under "any" the group's own reason is shown
    for child in cond.children:
        problems += _condition_problems(child, fields, where, inner)
    return problems


def _rule_problems(rule: Rule, fields: Dict[str, ProfileField], articles: set) -> List[str]:
    where = f"{RULES_FILE} 中的规则 {rule.id}"
    problems = [] if rule.article in articles else [f"{where}：引用了不存在的条款 “{rule.article}”"]
    problems += [f"{where}：缺少 {key}" for key in ("reason", "unsure") if not getattr(rule, key)]
    problems += _condition_problems(rule.when, fields, where, needs_reason=True)
    for detail in rule.details:
        problems += _condition_problems(detail.when, fields, f"{where} 的 details", needs_reason=False)
    return problems


def _duplicates(ids: List[str], what: str) -> List[str]:
    return [f"{RULES_FILE}：{what} id {i} 重复" for i in sorted({i for i in ids if ids.count(i) > 1})]


def rule_problems(rules: EligibilityRules, articles: set, field_ids: List[str]) -> List[str]:
    """Every article exists, every field used is defined, every value used is allowed."""
    problems = _duplicates(field_ids, "问题") + _duplicates([r.id for r in rules.rules], "规则")
    for item in rules.fields.values():
        problems += _field_problems(item)
    for field_id, values in rules.in_passing_skip.items():
        known = rules.fields[field_id].values if field_id in rules.fields else ()
        problems += [f"{RULES_FILE}：in_passing_skip 的 {field_id}：没有答案 “{v}”" for v in values if v not in known]
    if not rules.rules:
        problems.append(f"{RULES_FILE}：没有任何规则")
    for rule in rules.rules:
        problems += _rule_problems(rule, rules.fields, articles)
    for note in rules.notes:
        where = f"{RULES_FILE} 中的提示 {note.id}"
        problems += [] if note.article in articles else [f"{where}：引用了不存在的条款 “{note.article}”"]
        problems += _condition_problems(note.when, rules.fields, where, needs_reason=False)
    if rules.fallback.article not in articles:
        problems.append(f"{RULES_FILE} 中的 fallback：引用了不存在的条款 “{rules.fallback.article}”")
    problems += [f"{RULES_FILE}：verdict 缺少 {key}" for key in VERDICT_TEXTS if not rules.verdict.get(key)]
    return problems


def article_numbers(data_dir: Path) -> List[str]:
    with (data_dir / "articles.yml").open(encoding="utf-8") as handle:
        return [str(a["number"]) for a in (load_yaml(handle) or {}).get("articles") or []]


def load_rules(data_dir: Path = DATA_DIR) -> EligibilityRules:
    """Read and check ``eligibility.yml``; raise :class:`EligibilityRulesError` listing every problem."""
    try:
        with (data_dir / RULES_FILE).open(encoding="utf-8") as handle:
            raw = load_yaml(handle) or {}
        articles = article_numbers(data_dir)
    except (OSError, yaml.YAMLError) as error:
        raise EligibilityRulesError([f"{RULES_FILE}：无法读取：{error}"]) from error
    rules, problems = parse_rules(raw, articles)
    if problems or rules is None:
        raise EligibilityRulesError(problems)
    return rules
