"""Validate every row of an export before anything is written.

An operator fixing an export needs the whole list of mistakes with line numbers, not the first
one; messages are Chinese and never repeat an ID number (this output lands in terminals and CI
logs).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Tuple

from platform_core.redaction import redact
from status_store.credentials import MAX_APPLICATION_NO, is_application_no, normalise_application_no
from status_store.models import STATUSES
from status_store.privacy import IdNumberError, mask_name, normalise_id_number
from status_store.source import COLUMNS, RawRow, as_text

# Every column of the export except the optional note.
REQUIRED = tuple(column for column in COLUMNS if column != "note")
MAX_LENGTHS = {"applicant_name": 40, "category": 50, "office": 100, "note": 500}


@dataclass(frozen=True)
class ValidRow:
    line: int
    application_no: str
    id_tail: str  # the last six characters; the full ID number is dropped here
    masked_name: str
    category: str
    status: str
    office: str
    note: str
    submitted_at: dt.date
    updated_at: dt.date


@dataclass(frozen=True)
class RowError:
    line: int
    problems: Tuple[str, ...]

    def __str__(self) -> str:
        return f"第 {self.line} 行：" + "；".join(self.problems)


@dataclass(frozen=True)
class _Checked:
    line: int
    application_no: str  # normalised, kept even for bad rows so duplicates are still found
    row: Optional[ValidRow]
    problems: List[str]


def validate_rows(rows: Sequence[RawRow], today: Optional[dt.date] = None) -> Tuple[List[ValidRow], List[RowError]]:
    """Split ``rows`` into valid rows and errors (every problem of every bad row)."""
    today = today or dt.date.today()
    checked = [_check_row(row, today) for row in rows]
    duplicates = _duplicates(checked)
    valid, errors = [], []
    for item in checked:
        problems = item.problems + duplicates.get(item.line, [])
        if problems:
            errors.append(RowError(item.line, tuple(problems)))
        else:
            valid.append(item.row)
    return valid, errors


def _check_row(row: RawRow, today: dt.date) -> _Checked:
    if len(row.cells) != len(COLUMNS):
        return _Checked(row.line, "", None, [f"列数不对（应为 {len(COLUMNS)} 列，实际 {len(row.cells)} 列）"])
    cells = dict(zip(COLUMNS, row.cells, strict=True))
    text = {name: as_text(value) for name, value in cells.items()}
    problems = [f"{name} 不能为空" for name in REQUIRED if not text[name]]
    problems += [f"{name} 超过 {limit} 个字符" for name, limit in MAX_LENGTHS.items() if len(text[name]) > limit]
    number = _application_no(text["application_no"], problems)
    id_tail = _id_tail(cells["id_number"], text["id_number"], problems)
    dates = _dates(text["submitted_at"], text["updated_at"], today, problems)
    if text["status"] and text["status"] not in STATUSES:
        problems.append(f"状态“{redact(text['status'])}”不在已知状态中（{'、'.join(STATUSES)}）")
    row_ok = None if problems else _valid(row.line, number, id_tail, text, dates)
    return _Checked(row.line, number, row_ok, problems)


def _valid(line: int, number: str, id_tail: str, text: Dict[str, str], dates) -> ValidRow:
    return ValidRow(
        line=line,
        application_no=number,
        id_tail=id_tail,
        masked_name=mask_name(text["applicant_name"]),
        category=redact(text["category"]),
        status=text["status"],
        office=redact(text["office"]),
        # The note is shown to residents and stored: a phone or ID number typed into it is hidden.
        note=redact(text["note"]),
        submitted_at=dates[0],
        updated_at=dates[1],
    )


def _application_no(raw: str, problems: List[str]) -> str:
    number = normalise_application_no(raw)
    if raw and not is_application_no(number):
        problems.append(f"受理编号“{redact(raw)}”格式不正确（应为 4–{MAX_APPLICATION_NO} 位字母或数字）")
    elif redact(number) != number:
        # Stored in clear and shown in logs, so it must not be an ID or phone number pasted by mistake.
        problems.append("受理编号看起来是身份证号码或手机号码，请核对该列")
    return number


def _id_tail(cell, raw: str, problems: List[str]) -> str:
    if isinstance(cell, (int, float)):
        # Excel stores numbers as doubles: an 18-digit ID loses its last digits (and any X).
        problems.append("身份证号码被保存为数字，末几位已丢失；请把该列设为“文本”格式后重新导出")
        return ""
    if not raw:
        return ""
    try:
        return normalise_id_number(raw)[-6:]
    except IdNumberError as error:
        problems.append(str(error))
        return ""


def _dates(submitted: str, updated: str, today: dt.date, problems: List[str]):
    first = _date("submitted_at", submitted, problems)
    last = _date("updated_at", updated, problems)
    if first and last and last < first:
        problems.append("updated_at 早于 submitted_at")
    # A future date would make every later, real update look older and be ignored.
    if last and last > today + dt.timedelta(days=1):
        problems.append(f"updated_at {last.isoformat()} 晚于今天")
    return first, last


def _date(name: str, raw: str, problems: List[str]) -> Optional[dt.date]:
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        problems.append(f"{name} “{redact(raw)}”不是有效日期（应为 YYYY-MM-DD）")
        return None


def _duplicates(checked: List[_Checked]) -> Dict[int, List[str]]:
    """Every occurrence of a repeated number is bad: the file does not say which one is right."""
    lines_by_number: Dict[str, List[int]] = defaultdict(list)
    for item in checked:
        if item.application_no:
            lines_by_number[item.application_no].append(item.line)
    problems: Dict[int, List[str]] = {}
    for number, lines in lines_by_number.items():
        if len(lines) > 1:
            where = "、".join(str(line) for line in lines)
            for line in lines:
                problems[line] = [f"受理编号 {number} 重复（第 {where} 行）"]
    return problems
