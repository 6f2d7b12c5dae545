"""One FAQ entry as the staff console edits it: read from the files as written, checked with the
rules of ``make faq-check`` (each problem tagged with the field it concerns) and written back.

The browser sends plain values (lists as lists, the review date as YYYY-MM-DD); writing goes
through the spreadsheet import's round-trip writer, so comments, order and layout of the YAML stay
as the communications team wrote them and only changed fields are touched.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Sequence

from policy_kb.authoring.faq_import import apply_row, as_written, normalise_article, write_atomically
from policy_kb.authoring.faq_sheet import LIST_KEYS, Row
from policy_kb.authoring.faq_similar import DEFAULT_THRESHOLD, Phrase, similar_pairs
from policy_kb.authoring.faq_source import FAQ_SUBDIR, read_faq_files
from policy_kb.authoring.training_data import DOMAIN_DIR, NLU_DIR, domain_intents, nlu_examples
from policy_kb.loader import KnowledgeBase, read_kb
from policy_kb.model import FaqEntry
from policy_kb.validation import faq_findings

EDITABLE = ("intent", "question", "phrasings", "answer", "articles", "related", "owner", "status", "review_by")
LABELS = {
    "id": "编号",
    "file": "文件",
    "intent": "意图",
    "question": "标准问题",
    "phrasings": "其他问法",
    "answer": "答案",
    "articles": "引用条款",
    "related": "相关问题",
    "owner": "负责部门",
    "status": "状态",
    "review_by": "复核日期",
}
_ID = re.compile(r"^[a-z][a-z0-9_]{2,63}$")
_SPLIT = {
    "phrasings": re.compile(r"\n"),
    "articles": re.compile(r"[\n,，、;；\s]+"),
    "related": re.compile(r"[\n,，、;；\s]+"),
}


@dataclass(frozen=True)
class FieldProblem:
    """A problem with a draft entry, at the field (and list item) it concerns; message in Chinese."""

    field: str
    message: str
    item: Optional[int] = None


def read_entries(data_dir: Path) -> Dict[str, Dict[str, Any]]:
    """id → the entry's values as written, with the file it lives in, in file order."""
    found: Dict[str, Dict[str, Any]] = {}
    for faq_file in read_faq_files(data_dir):
        for entry in faq_file.entries:
            if isinstance(entry, dict):
                values = {"id": str(entry.get("id")), "file": faq_file.name}
                found.setdefault(values["id"], {**values, **{k: as_written(entry, k) for k in EDITABLE}})
    return found


def stamp(values: Optional[Mapping[str, Any]]) -> str:
    """A short fingerprint of an entry's values ("new" for none): the optimistic version stamp."""
    if values is None:
        return "new"
    text = json.dumps({k: values.get(k) for k in ("id", "file", *EDITABLE)}, ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _list(value: Any, key: str) -> List[str]:
    items = value if isinstance(value, list) else _SPLIT[key].split(str(value or ""))
    return [str(item).strip() for item in items if str(item).strip()]


def clean(raw: Mapping[str, Any], document=None) -> Dict[str, Any]:
    """The browser's form as plain values: text trimmed, lists split, citations as the document
    numbers them (3, （三） and 第三条 all become 三)."""
    values = {key: str(raw.get(key) or "").strip() for key in ("id", "file", *EDITABLE) if key not in LIST_KEYS}
    values.update({key: _list(raw.get(key), key) for key in LIST_KEYS})
    if document is not None:
        values["articles"] = [normalise_article(ref, document) for ref in values["articles"]]
    values["file"] = values["file"].removeprefix(f"{FAQ_SUBDIR}/")
    values["status"] = values["status"] or "published"
    return values


def _row(values: Mapping[str, Any]) -> Row:
    row = Row(0, dict(values))
    text = str(values.get("review_by") or "")
    try:
        row.values["review_by"] = dt.date.fromisoformat(text) if text else None
    except ValueError:
        row.values["review_by"] = text  # written as typed; the loader reports it at the field
    return row


def write_entries(data_dir: Path, changes: Sequence[Mapping[str, Any]]) -> List[str]:
    """Write each entry's values into its file (appended when new); returns the files written."""
    files = {faq_file.name: faq_file for faq_file in read_faq_files(data_dir)}
    touched = sorted({values["file"] for values in changes if apply_row(_row(values), files[values["file"]])})
    for name in touched:
        write_atomically(data_dir / FAQ_SUBDIR / name, files[name].dump())
    return touched


def _form_problems(
    values: Mapping[str, Any], existing: Mapping[str, Mapping], files: List[str], is_new: bool
) -> List[FieldProblem]:
    problems = [
        FieldProblem(key, f"请填写{LABELS[key]}")
        for key in ("id", "intent", "question", "answer")
        if not values.get(key)
    ]
    faq_id = values.get("id", "")
    if faq_id and not _ID.match(faq_id):
        problems.append(FieldProblem("id", "编号只能用小写英文字母、数字和下划线，以字母开头，3 到 64 个字符"))
    if is_new and faq_id in existing:
        problems.append(FieldProblem("id", f"编号 {faq_id} 已被问答“{existing[faq_id]['question']}”使用"))
    if values.get("file") not in files:
        problems.append(FieldProblem("file", f"请选择文件（{'、'.join(files)}）"))
    if values.get("status") not in ("published", "draft"):
        problems.append(FieldProblem("status", "状态只能是“已发布”或“草稿”"))
    return problems


def _loader_problems(load_problems: List[str], values: Mapping[str, Any]) -> List[FieldProblem]:
    prefix = f"{FAQ_SUBDIR}/{values['file']} 中的 {values['id']}："
    found = []
    for problem in load_problems:
        if problem.startswith(prefix):
            message = problem[len(prefix) :]
            found.append(FieldProblem("review_by" if "review_by" in message else "", message))
    return found


def _phrases(kb: KnowledgeBase, draft: FaqEntry) -> List[Phrase]:
    """Other published entries' phrases, then the draft's last, so every pair names the draft's.
    ``line`` holds 0 for the question and n for phrasing n-1."""
    others = [f for f in kb.published_faqs() if f.id != draft.id]
    found = [Phrase(text, f, f.source, 0) for f in others for text in (f.question, *f.phrasings)]
    return found + [Phrase(text, draft, draft.source, n) for n, text in enumerate((draft.question, *draft.phrasings))]


def _similarity(kb: KnowledgeBase, draft: FaqEntry, examples, threshold: float) -> List[FieldProblem]:
    found = []
    for pair in similar_pairs(_phrases(kb, draft), examples, kb.glossary, threshold):
        if pair.phrase.faq.id != draft.id:
            continue
        how = "相同" if pair.same else f"相近（相似度 {pair.score:.2f}，阈值 {threshold:.2f}）"
        other = pair.other
        if isinstance(other, Phrase):
            message = f"与问答 {other.faq.id} 的“{other.text}”{how}：检索分不清这两条，请改写或合并"
        else:
            message = (
                f"与意图 {other.intent} 的训练例句“{other.text}”{how}：居民这样问时模型会识别成 "
                f"{other.intent}，请改写这条问法"
            )
        line = pair.phrase.line
        found.append(FieldProblem("question", message) if line == 0 else FieldProblem("phrasings", message, line - 1))
    return found


def _publishing_problems(
    kb: KnowledgeBase, draft: FaqEntry, today: dt.date, threshold: float, nlu_dir: Path, domain_dir: Path
) -> List[FieldProblem]:
    """What only matters once residents are served the entry (as faq_lint checks published ones)."""
    examples = nlu_examples(nlu_dir)
    problems = []
    if draft.intent not in domain_intents(domain_dir) & {e.intent for e in examples}:
        problems.append(
            FieldProblem(
                "intent",
                f"意图 {draft.intent} 不在已训练的模型里，居民问了也答不到这条。"
                "请选择已有的意图，或先把状态设为草稿并请开发人员加入该意图",
            )
        )
    if draft.review_by is not None and draft.review_by < today:
        problems.append(
            FieldProblem("review_by", f"复核日期 {draft.review_by} 已过（今天是 {today}）：请核对答案后改为将来的日期")
        )
    return problems + _similarity(kb, draft, examples, threshold)


def check_entry(
    values: Mapping[str, Any],
    data_dir: Path,
    *,
    is_new: bool,
    today: Optional[dt.date] = None,
    threshold: float = DEFAULT_THRESHOLD,
    nlu_dir: Path = NLU_DIR,
    domain_dir: Path = DOMAIN_DIR,
) -> List[FieldProblem]:
    """Every problem ``make faq-check`` would report about this entry once written into ``data_dir``
    (which is not changed: the entry is tried in a scratch copy)."""
    existing = read_entries(data_dir)
    files = sorted(p.name for p in (data_dir / FAQ_SUBDIR).glob("*.yml"))
    problems = _form_problems(values, existing, files, is_new)
    if problems:
        return problems
    with tempfile.TemporaryDirectory(prefix="faq-draft-") as scratch:
        staged = Path(scratch) / "data"
        shutil.copytree(data_dir, staged)
        write_entries(staged, [values])
        kb, load_problems = read_kb(staged)
    problems = _loader_problems(load_problems, values)
    draft = kb.faqs.get(values["id"])
    if draft is None:
        return problems or [FieldProblem("", "这条问答无法读取，请检查各项内容")]
    problems += [FieldProblem(f.field, f.message, f.item) for f in faq_findings(kb, draft)]
    if draft.published:
        problems += _publishing_problems(kb, draft, today or dt.date.today(), threshold, nlu_dir, domain_dir)
    return problems


def staged_kb(data_dir: Path, changes: Sequence[Mapping[str, Any]]) -> KnowledgeBase:
    """The knowledge base as it would be with ``changes`` written (for preview and retrieval)."""
    with tempfile.TemporaryDirectory(prefix="faq-draft-") as scratch:
        staged = Path(scratch) / "data"
        shutil.copytree(data_dir, staged)
        write_entries(staged, changes)
        return read_kb(staged)[0]
