"""The FAQ spreadsheet in the browser: download the sheet of what residents are served, upload an
edited one as a change set for review.

The upload goes through ``make faq-import``'s own checks (policy_kb/authoring/faq_import.py) in a scratch
copy, then each changed entry through the editor's checks (those of ``make faq-check``); any
problem refuses the whole sheet, row by row in Chinese, and nothing is saved.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Dict, List

from console import faq_store
from console.faq_library import Conflict, Invalid, open_by_faq, places
from console.faq_store import ChangeSet
from policy_kb.authoring.faq_edit import LABELS, FieldProblem, check_entry, read_entries, stamp
from policy_kb.authoring.faq_import import ImportRefused, import_rows
from policy_kb.authoring.faq_sheet import Row, SheetError, export_workbook, read_workbook
from policy_kb.authoring.faq_source import read_faq_files


def download() -> bytes:
    """The sheet of every entry residents are served now."""
    with tempfile.TemporaryDirectory(prefix="faq-sheet-") as scratch:
        path = Path(scratch) / "faqs.xlsx"
        export_workbook(read_faq_files(places().live), path)
        return path.read_bytes()


def _imported(rows: List[Row], live: Path) -> Dict[str, Dict]:
    """The entries as the sheet would leave them (import's checks, in a scratch copy)."""
    with tempfile.TemporaryDirectory(prefix="faq-sheet-") as scratch:
        staged = Path(scratch) / "data"
        shutil.copytree(live, staged)
        import_rows(rows, staged)
        return read_entries(staged)


def _row_problems(changed: List[Dict], numbers: Dict[str, int], before: Dict[str, Dict], live: Path) -> List[str]:
    problems = []
    for values in changed:
        for problem in check_entry(values, live, is_new=values["id"] not in before):
            problems.append(_row_text(problem, values["id"], numbers))
    return problems


def _row_text(problem: FieldProblem, faq_id: str, numbers: Dict[str, int]) -> str:
    label = LABELS.get(problem.field, "")
    return f"第 {numbers.get(faq_id, '?')} 行（{faq_id}）{'“' + label + '”' if label else ''}：{problem.message}"


def upload(author: str, content: bytes, note: str) -> ChangeSet:
    """Turn an uploaded sheet into one change set; SheetError, Invalid (row problems) or Conflict."""
    live = places().live
    with tempfile.TemporaryDirectory(prefix="faq-sheet-") as scratch:
        path = Path(scratch) / "upload.xlsx"
        path.write_bytes(content)
        rows = read_workbook(path)
    before = read_entries(live)
    try:
        after = _imported(rows, live)
    except ImportRefused as refused:
        raise Invalid([FieldProblem("", p) for p in refused.problems]) from None
    changed = [values for faq_id, values in after.items() if before.get(faq_id) != values]
    if not changed:
        raise SheetError("表格与在线版本相同，没有需要审核的修改。")
    problems = _row_problems(changed, {str(r.get("id")): r.number for r in rows}, before, live)
    if problems:
        raise Invalid([FieldProblem("", p) for p in problems])
    pending = open_by_faq()
    busy = [values["id"] for values in changed if values["id"] in pending]
    if busy:
        raise Conflict(f"问答 {'、'.join(busy)} 已有待审核的修改，表格没有保存。请等那些审核完成后再上传。", None)
    changes = [
        {"id": v["id"], "base_stamp": stamp(before.get(v["id"])), "before": before.get(v["id"]), "after": v}
        for v in changed
    ]
    return faq_store.create(author, note or "从表格上传", changes)
