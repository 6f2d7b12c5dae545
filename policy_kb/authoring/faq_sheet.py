"""The FAQ as a spreadsheet for the communications team: one row per entry, Chinese headers, list
fields one item per line in the cell.

Writing exports the YAML as written (not the loader's cleaned records), so that importing an
unchanged sheet changes nothing. Reading undoes what Excel and WPS do to typed text: numbers
become floats, dates become date cells, spaces trail, rows stay empty.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import openpyxl
from openpyxl.styles import Alignment, Font
from openpyxl.utils.datetime import from_excel
from openpyxl.utils.exceptions import InvalidFileException

from policy_kb.authoring.faq_source import FaqFile

SHEET = "常见问题"
COLUMNS = (  # key in the YAML, header in the sheet, column width
    ("file", "文件", 14),
    ("id", "编号", 26),
    ("intent", "意图", 24),
    ("question", "标准问题", 36),
    ("phrasings", "其他问法", 40),
    ("answer", "答案", 80),
    ("articles", "引用条款", 10),
    ("related", "相关问题", 28),
    ("owner", "负责部门", 22),
    ("status", "状态", 8),
    ("review_by", "复核日期", 12),
)
REQUIRED = ("file", "id", "intent", "question", "answer", "status")
LIST_KEYS = ("phrasings", "articles", "related")
STATUS_LABELS = {"published": "已发布", "draft": "草稿"}
# Citations and ids never contain these, so a cell typed "三、四" or "三, 四" splits like lines do.
_LIST_SEPARATORS = {"phrasings": re.compile(r"\n"), "articles": re.compile(r"[\n,，、;；\s]+")}
_INVISIBLE = "\u00a0\u3000\u200b\ufeff"
HELP_LINES = (
    "每行一条问答；“其他问法”“引用条款”“相关问题”一格内每行写一项。",
    "文件：条目所在的 YAML 文件（如 settle.yml）。新条目会加在该文件末尾；改变行的顺序不会改变文件里的顺序。",
    "编号：唯一且不要修改。删除条目请直接编辑 YAML，或把状态改为“草稿”；表格里少了条目会拒绝导入。",
    "引用条款：写条款序号，如 三、十一；也可以写 3 或 第（三）条；文件开头的引言写“开篇引言”。",
    "状态：已发布 或 草稿。复核日期：YYYY-MM-DD。",
    "导入前会先检查整张表，有任何错误都不会写入，并逐行列出问题。",
)


class SheetError(ValueError):
    """The spreadsheet cannot be read at all (not a workbook, headers missing)."""


def _cell_text(value: Any) -> str:
    """Written back as it would be typed: floats from numeric cells lose ".0", dates lose 00:00."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime) and value.time() == dt.time():
        value = value.date()
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")
    return "\n".join(line.strip(" \t" + _INVISIBLE) for line in text.split("\n")).strip()


def _export_value(key: str, value: Any) -> Any:
    if key in LIST_KEYS:
        return "\n".join(str(item) for item in value or [])
    if key == "status" and value is not None:
        return STATUS_LABELS.get(str(value), str(value))
    if key == "review_by" and isinstance(value, dt.date):
        return value
    return "" if value is None else str(value)


def _write_row(sheet, row: int, values: List[Any]) -> None:
    for column, value in enumerate(values, start=1):
        cell = sheet.cell(row=row, column=column, value=value)
        if isinstance(value, str):
            cell.data_type = "s"  # text, even when it starts with "=" (never a formula)
        if isinstance(value, dt.date):
            cell.number_format = "yyyy-mm-dd"
        cell.alignment = Alignment(wrap_text=True, vertical="top")


def export_workbook(files: List[FaqFile], path: Path) -> int:
    """Write every entry of ``files`` to ``path``; returns the number of rows."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = SHEET
    sheet.append([header for _, header, _ in COLUMNS])
    for column, (_, _, width) in enumerate(COLUMNS, start=1):
        sheet.cell(row=1, column=column).font = Font(bold=True)
        sheet.column_dimensions[openpyxl.utils.get_column_letter(column)].width = width
    sheet.freeze_panes = "C2"
    rows = [(f, e) for f in files for e in f.entries if isinstance(e, dict)]
    for number, (faq_file, entry) in enumerate(rows, start=2):
        values = [faq_file.name] + [_export_value(key, entry.get(key)) for key, _, _ in COLUMNS[1:]]
        _write_row(sheet, number, values)
    notes = workbook.create_sheet("填写说明")
    for line in HELP_LINES:
        notes.append([line])
    notes.column_dimensions["A"].width = 110
    workbook.save(path)
    return len(rows)


@dataclass
class Row:
    """One filled row of the sheet, cleaned; ``number`` is the row number Excel shows."""

    number: int
    values: Dict[str, Any] = field(default_factory=dict)
    problems: List[str] = field(default_factory=list)

    def get(self, key: str) -> Any:
        return self.values.get(key)


def _review_date(value: Any, row: Row) -> Optional[dt.date]:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (int, float)):  # a date cell formatted as a number: Excel's day count
        return from_excel(value).date()
    text = re.sub(r"[年月/.]", "-", _cell_text(value)).rstrip("日")
    try:
        year, month, day = (int(part) for part in text.split("-"))
        return dt.date(year, month, day)
    except ValueError:
        row.problems.append(f"复核日期应写成 YYYY-MM-DD，实际为 “{_cell_text(value)}”")
        return None


def _clean(key: str, value: Any, row: Row) -> Any:
    if key == "review_by":
        return _review_date(value, row)
    text = _cell_text(value)
    if key in LIST_KEYS:
        separator = _LIST_SEPARATORS.get(key, _LIST_SEPARATORS["articles"])
        return [item.strip() for item in separator.split(text) if item.strip()]
    return text


def _header_map(header: Tuple[Any, ...]) -> Dict[str, int]:
    by_name = {name: key for key, name, _ in COLUMNS} | {key: key for key, _, _ in COLUMNS}
    columns = {by_name[_cell_text(v)]: i for i, v in enumerate(header) if _cell_text(v) in by_name}
    missing = [name for key, name, _ in COLUMNS if key not in columns]
    if missing:
        raise SheetError(f"表头缺少列：{'、'.join(missing)}（第一行应为：{'、'.join(n for _, n, _ in COLUMNS)}）")
    return columns


def _open(path: Path):
    try:
        workbook = openpyxl.load_workbook(path, data_only=True)  # formulas: their last computed value
    except FileNotFoundError:
        raise SheetError(f"找不到文件 {path}") from None
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError):
        raise SheetError(f"{path} 不是有效的 .xlsx 文件（WPS 的 .et 或旧版 .xls 请先另存为 .xlsx）") from None
    return workbook[SHEET] if SHEET in workbook.sheetnames else workbook.active


def read_workbook(path: Path) -> List[Row]:
    """Every non-empty row under the header, cleaned; cell problems are kept on the row."""
    cells = [row for row in _open(path).iter_rows(values_only=True)]
    numbered = [(n, row) for n, row in enumerate(cells, start=1) if any(_cell_text(v) for v in row)]
    if not numbered:
        raise SheetError(f"{path} 是空表")
    columns = _header_map(numbered[0][1])
    rows = []
    for number, values in numbered[1:]:
        row = Row(number)
        for key, index in columns.items():
            row.values[key] = _clean(key, values[index] if index < len(values) else None, row)
        rows.append(row)
    return rows
