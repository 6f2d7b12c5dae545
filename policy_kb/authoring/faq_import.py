"""Write an edited FAQ spreadsheet back into the YAML files, or nothing at all.

Every row is checked first (file, id, citations, status, dates), then the edited files are
loaded in a scratch copy with the knowledge base's own validation; only if both pass are the
files replaced, each atomically. Only the fields that changed are touched, through ruamel's
round-trip mode, so header comments, section comments, entry order and layout stay as written
and an unchanged sheet leaves every file byte for byte the same.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import tempfile
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Mapping

from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import FoldedScalarString, LiteralScalarString

from policy_kb.authoring.faq_sheet import COLUMNS, LIST_KEYS, REQUIRED, STATUS_LABELS, Row
from policy_kb.authoring.faq_source import FAQ_SUBDIR, FaqFile, read_faq_files
from policy_kb.loader import KnowledgeBaseError, load_kb, read_kb
from policy_kb.model import PREAMBLE, Document

FIELDS = [key for key, _, _ in COLUMNS if key not in ("file", "id")]
_HEADERS = {key: name for key, name, _ in COLUMNS}
_STATUS = {**{label: code for code, label in STATUS_LABELS.items()}, **{code: code for code in STATUS_LABELS}}
_PREAMBLE_NAMES = ("开篇引言", "引言", PREAMBLE)


class ImportRefused(ValueError):
    """The sheet has problems; nothing was written. ``problems`` are row-level, in Chinese."""

    def __init__(self, problems: List[str]):
        self.problems = problems
        super().__init__("导入已取消，没有写入任何文件：\n" + "\n".join(problems))


@dataclass
class ImportResult:
    written: List[str] = field(default_factory=list)  # file names
    added: List[str] = field(default_factory=list)  # entry ids
    changed: List[str] = field(default_factory=list)


def _article(ref: str, document: Document) -> str:
    """第（三）条, (三), 3 and ３ all mean article 三; 开篇引言 is the preamble."""
    text = unicodedata.normalize("NFKC", ref).strip()
    if text in _PREAMBLE_NAMES:
        return PREAMBLE
    text = re.sub(r"^第|条$", "", text).strip("() ")
    by_index = {str(a.index): a.number for a in document.articles.values()}
    return by_index.get(text, text)


def _file_name(text: str) -> str:
    name = text.removeprefix(f"{FAQ_SUBDIR}/")
    return name if name.endswith(".yml") else f"{name}.yml"


def _row_problems(row: Row, files: Dict[str, FaqFile], owner: Dict[str, str], document: Document) -> List[str]:
    """Problems of one row on its own; also normalises its file, status and citations in place."""
    problems = list(row.problems)
    problems += [f"“{_HEADERS[key]}”不能为空" for key in REQUIRED if not row.get(key)]
    if row.get("file"):
        row.values["file"] = _file_name(row.get("file"))
        if row.get("file") not in files:
            problems.append(f"文件 {row.get('file')} 不存在（现有：{'、'.join(files)}）")
        elif owner.get(row.get("id"), row.get("file")) != row.get("file"):
            problems.append(f"条目 {row.get('id')} 在 {owner[row.get('id')]} 里，不能在表格里改到别的文件")
    if row.get("status"):
        row.values["status"] = _STATUS.get(row.get("status"), row.get("status"))
        if row.get("status") not in STATUS_LABELS:
            problems.append(f"状态只能填“已发布”或“草稿”，实际为 “{row.get('status')}”")
    row.values["articles"] = [_article(ref, document) for ref in row.get("articles")]
    for ref in row.get("articles"):
        if ref != PREAMBLE and ref not in document.articles:
            problems.append(f"引用了不存在的条款 “{ref}”")
    if row.get("status") == "published" and not row.get("articles"):
        problems.append("已发布的条目必须引用至少一条条款")
    return problems


def check_rows(rows: List[Row], files: Dict[str, FaqFile], document: Document) -> List[str]:
    """Every row-level problem, then every entry of the YAML that the sheet lost."""
    owner = {str(e.get("id")): name for name, f in files.items() for e in f.entries if isinstance(e, dict)}
    ids = {row.get("id") for row in rows}
    first_row: Dict[str, int] = {}
    problems = []
    for row in rows:
        found = _row_problems(row, files, owner, document)
        faq_id = row.get("id")
        if faq_id and faq_id in first_row:
            found.append(f"编号 {faq_id} 与第 {first_row[faq_id]} 行重复")
        first_row.setdefault(faq_id, row.number)
        found += [f"相关问题 {ref} 不存在" for ref in row.get("related") if ref not in ids]
        problems += [f"第 {row.number} 行（{faq_id or '无编号'}）：{p}" for p in found]
    lost = [f"表格里缺少条目 {i}（{FAQ_SUBDIR}/{name}）" for i, name in owner.items() if i not in first_row]
    if lost:
        lost.append("删除条目请直接编辑 YAML 文件，或把状态改为“草稿”；表格里少了条目不会被当作删除。")
    return problems + lost


def as_written(entry: Mapping, key: str) -> Any:
    """A field as the loader reads it, to compare with the sheet: an absent status is published."""
    value = entry.get(key)
    if key in LIST_KEYS:
        return [str(item).strip() for item in value or []]
    if key == "status":
        return str(value or "published")
    if key == "review_by":
        return value.isoformat() if isinstance(value, dt.date) else ("" if value is None else str(value))
    return "" if value is None else str(value).strip()


def _styled(key: str, value: Any, old: Any) -> Any:
    """The new value in the house style (or the old value's style): block list of phrasings,
    flow lists of citations and ids, long answers folded."""
    if key in LIST_KEYS:
        seq = CommentedSeq(value)
        if key != "phrasings" and not (isinstance(old, CommentedSeq) and not old.fa.flow_style()):
            seq.fa.set_flow_style()
        return seq
    if key == "answer" and "\n" in value:
        return LiteralScalarString(value)
    if key == "answer" and (old is None or isinstance(old, FoldedScalarString)):
        return FoldedScalarString(value)
    return value


def _set(entry: CommentedMap, key: str, value: Any) -> None:
    if value in ("", [], None) and key not in entry.ca.items:
        entry.pop(key, None)  # an optional field emptied in the sheet (one carrying a comment stays)
        return
    entry[key] = _styled(key, value, entry.get(key))


def _new_value(row: Row, key: str) -> Any:
    value = row.get(key)
    return value.isoformat() if isinstance(value, dt.date) else ("" if value is None else value)


def _apply(row: Row, faq_file: FaqFile) -> str:
    """Write one row into its entry (appended if new); returns "added", "changed" or ""."""
    entry = faq_file.entry(row.get("id"))
    if entry is None:
        faq_file.entries.append(CommentedMap(id=row.get("id")))
        faq_file.entries.yaml_set_comment_before_after_key(len(faq_file.entries) - 1, before="\n")
        for key in FIELDS:  # every filled field, in the house order, status included
            if _new_value(row, key) not in ("", []):
                _set(faq_file.entries[-1], key, row.get(key))
        return "added"
    changed = [key for key in FIELDS if as_written(entry, key) != _new_value(row, key)]
    for key in changed:
        _set(entry, key, row.get(key))
    return "changed" if changed else ""


def _row_of(problem: str, rows: List[Row]) -> str:
    """The loader names entries as "faqs/x.yml 中的 id：…"; say which row that is."""
    for row in rows:
        prefix = f"{FAQ_SUBDIR}/{row.get('file')} 中的 {row.get('id')}："
        if problem.startswith(prefix):
            return f"第 {row.number} 行（{row.get('id')}）：{problem[len(prefix):]}"
    return problem


def _check_loads(data_dir: Path, texts: Dict[str, str], rows: List[Row]) -> None:
    """Load the edited files in a scratch copy with the knowledge base's validation (reply size,
    placeholders, …), so that what is written always loads."""
    with tempfile.TemporaryDirectory(prefix="faq-import-") as scratch:
        staged = Path(scratch) / "data"
        shutil.copytree(data_dir, staged)
        for name, text in texts.items():
            (staged / FAQ_SUBDIR / name).write_text(text, encoding="utf-8")
        try:
            load_kb(staged)
        except KnowledgeBaseError as error:
            raise ImportRefused([_row_of(p, rows) for p in error.problems]) from None


def write_atomically(path: Path, text: str) -> None:
    """Readers (the running assistant) see the old file or the new one, never half of it."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        out.write(text)
    if path.exists():
        os.chmod(temporary, path.stat().st_mode & 0o777)
    os.replace(temporary, path)


# For the staff console's editor (policy_kb/authoring/faq_edit.py), which writes one entry the same way.
apply_row = _apply
normalise_article = _article


def import_rows(rows: List[Row], data_dir: Path) -> ImportResult:
    """Check ``rows`` against ``data_dir`` and write them into its FAQ files, all or nothing."""
    files = {faq_file.name: faq_file for faq_file in read_faq_files(data_dir)}
    problems = check_rows(rows, files, read_kb(data_dir)[0].document)
    if problems:
        raise ImportRefused(problems)
    result, touched = ImportResult(), set()
    for row in rows:
        outcome = _apply(row, files[row.get("file")])
        if outcome:
            getattr(result, outcome).append(row.get("id"))
            touched.add(row.get("file"))
    texts = {name: files[name].dump() for name in sorted(touched)}
    _check_loads(data_dir, texts, rows)
    for name, text in texts.items():
        write_atomically(data_dir / FAQ_SUBDIR / name, text)
    result.written = list(texts)
    return result
