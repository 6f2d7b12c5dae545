"""Load the YAML files under ``policy_kb/data`` into one validated :class:`KnowledgeBase`.

Every problem is collected with the file it came from, so that a communications officer who
broke a file sees all mistakes at once, in Chinese, instead of one Python traceback.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import yaml

from platform_core.paths import POLICY_DATA
from policy_kb.eligibility.rules import RULES_FILE, parse_rules
from policy_kb.model import (  # KnowledgeBase: imported from here by many modules
    Article,
    Document,
    FaqEntry,
    GlossaryTerm,
    KnowledgeBase,
    Office,
    OperatorConfig,
)
from policy_kb.validation import validate
from policy_kb.yaml_io import load_yaml

DATA_DIR = POLICY_DATA


class KnowledgeBaseError(ValueError):
    """The policy data is invalid; ``problems`` lists every mistake found."""

    def __init__(self, problems: List[str]):
        self.problems = problems
        super().__init__("政策知识库校验失败：\n" + "\n".join(f"- {p}" for p in problems))


def _read_yaml(path: Path, problems: List[str]) -> Any:
    try:
        with path.open(encoding="utf-8") as handle:
            return load_yaml(handle) or {}
    except FileNotFoundError:
        problems.append(f"{path.name}：文件不存在")
    except yaml.YAMLError as error:
        problems.append(f"{path.name}：YAML 格式错误：{error}")
    return {}


def _load_document(raw: Dict[str, Any], problems: List[str]) -> Document:
    articles = {}
    for item in raw.get("articles", []):
        article = Article(
            number=str(item["number"]),
            index=int(item["index"]),
            section=str(item["section"]),
            heading=str(item["heading"]),
            text=str(item["text"]),
        )
        articles[article.number] = article
    if len(articles) != 18:
        problems.append(f"articles.yml：应有 18 条，实际 {len(articles)} 条")
    meta = raw.get("document", {})
    basis = tuple((b["code"], b["title"]) for b in meta.get("basis", []))
    sections = {str(s["number"]): s["title"] for s in raw.get("sections", [])}
    return Document(meta.get("title", ""), meta.get("preamble", ""), basis, articles, sections)


def _as_date(value: Any, where: str, problems: List[str]) -> Optional[dt.date]:
    if value is None or isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        problems.append(f"{where}：review_by 应为 YYYY-MM-DD 日期，实际为 {value!r}")
        return None


def _load_faq(item: Dict[str, Any], source: str, problems: List[str]) -> Optional[FaqEntry]:
    where = f"{source} 中的 {item.get('id', '（无 id）')}"
    missing = [key for key in ("id", "intent", "question", "answer") if not item.get(key)]
    if missing:
        problems.append(f"{where}：缺少字段 {', '.join(missing)}")
        return None
    return FaqEntry(
        id=str(item["id"]),
        intent=str(item["intent"]),
        question=str(item["question"]).strip(),
        phrasings=tuple(str(p).strip() for p in item.get("phrasings") or []),
        answer=str(item["answer"]).strip(),
        articles=tuple(str(a) for a in item.get("articles") or []),
        related=tuple(str(r) for r in item.get("related") or []),
        owner=str(item.get("owner") or ""),
        status=str(item.get("status") or "published"),
        review_by=_as_date(item.get("review_by"), where, problems),
        source=source,
    )


def _load_faqs(faq_dir: Path, problems: List[str]) -> Dict[str, FaqEntry]:
    faqs: Dict[str, FaqEntry] = {}
    for path in sorted(faq_dir.glob("*.yml")):
        for item in _read_yaml(path, problems).get("faqs") or []:
            faq = _load_faq(item, f"faqs/{path.name}", problems)
            if faq is None:
                continue
            if faq.id in faqs:
                problems.append(f"{faq.source}：id {faq.id} 与 {faqs[faq.id].source} 重复")
            faqs[faq.id] = faq
    if not faqs:
        problems.append("faqs/：没有任何问答条目")
    return faqs


def parse_glossary(raw: Dict[str, Any]) -> List[GlossaryTerm]:
    return [
        GlossaryTerm(
            term=str(item["term"]),
            synonyms=tuple(str(s) for s in item.get("synonyms") or []),
            entity=item.get("entity"),
            note=str(item.get("note") or ""),
        )
        for item in raw.get("terms") or []
    ]


def _load_operator(raw: Dict[str, Any]) -> OperatorConfig:
    hotline = raw.get("hotline") or {}
    offices = {
        district: Office(
            district=district, **{k: v for k, v in (info or {}).items() if k in ("name", "address", "phone", "hours")}
        )
        for district, info in (raw.get("offices") or {}).items()
    }
    notes = {key: raw.get(key) for key in ("opening_hours", "fees_note", "processing_time_note")}
    return OperatorConfig(
        disclaimer=str(raw.get("disclaimer") or ""),
        hotline_number=str(hotline.get("number") or "12345"),
        hotline_name=str(hotline.get("name") or "政务服务便民热线"),
        general_office=str(raw.get("general_office") or "当地派出所户政窗口"),
        offices=offices,
        notes=notes,
        materials_notes=dict(raw.get("materials_notes") or {}),
        eligibility_notes=dict(raw.get("eligibility_notes") or {}),
    )


PLACES_FILE = "places.yml"


def read_kb(data_dir: Path = DATA_DIR) -> Tuple[KnowledgeBase, List[str]]:
    """The knowledge base as parsed, with the parsing problems but before :func:`validate`.

    For tools that report problems their own way (the FAQ lint points at file lines) and so need
    the parsed data even when it is invalid.
    """
    problems: List[str] = []
    document = _load_document(_read_yaml(data_dir / "articles.yml", problems), problems)
    eligibility, rule_problems = parse_rules(_read_yaml(data_dir / RULES_FILE, problems), document.articles)
    problems.extend(rule_problems)
    kb = KnowledgeBase(
        document=document,
        faqs=_load_faqs(data_dir / "faqs", problems),
        glossary=parse_glossary(_read_yaml(data_dir / "glossary.yml", problems)),
        operator=_load_operator(_read_yaml(data_dir / "operator.yml", problems)),
        messages=_read_yaml(data_dir / "messages.yml", problems),
        eligibility=eligibility,  # None only when invalid, and then load_kb raises
        other_places=_load_places(data_dir / PLACES_FILE, problems),
    )
    return kb, problems


def _load_places(path: Path, problems: List[str]) -> Tuple[str, ...]:
    """Other places' names, longest first; optional (no file: only the glossary's other_city terms)."""
    if not path.exists():
        return ()
    raw = _read_yaml(path, problems) or {}
    names = [str(n).strip() for n in raw.get("other_places") or [] if str(n).strip()]
    return tuple(sorted(set(names), key=len, reverse=True))


def load_kb(data_dir: Path = DATA_DIR) -> KnowledgeBase:
    """Load and validate the knowledge base; raise :class:`KnowledgeBaseError` on any problem."""
    kb, problems = read_kb(data_dir)
    problems.extend(validate(kb))
    if problems:
        raise KnowledgeBaseError(problems)
    return kb
