"""Read the hukou system's export (UTF-8 CSV or .xlsx) into raw rows with their line numbers.

Problems with the file as a whole (missing, empty, wrong header, wrong encoding) raise
:class:`SourceError`; problems with single rows are left to :mod:`status_store.rows`, which
reports every one of them.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, List, Sequence, Tuple

COLUMNS = (
    "application_no",
    "id_number",
    "applicant_name",
    "category",
    "status",
    "submitted_at",
    "updated_at",
    "office",
    "note",
)
Cell = Any  # str for CSV; str, int, float, datetime or None for .xlsx


class SourceError(ValueError):
    """The file cannot be read as an export at all; the message is for the operator, in Chinese."""


@dataclass(frozen=True)
class RawRow:
    line: int
    cells: Tuple[Cell, ...]


def read_rows(path: Path) -> List[RawRow]:
    """Every non-blank data row of ``path``; raise :class:`SourceError` for an unusable file."""
    if not path.is_file():
        raise SourceError(f"找不到文件：{path}")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        rows = list(_csv_rows(path))
    elif suffix == ".xlsx":
        rows = list(_xlsx_rows(path))
    else:
        raise SourceError(f"不支持的文件类型 {suffix or '（无扩展名）'}：请提供 .csv（UTF-8）或 .xlsx 文件")
    return _check_header(rows, path.name)


def _check_header(rows: List[RawRow], name: str) -> List[RawRow]:
    if not rows:
        raise SourceError(f"{name}：文件为空")
    header = tuple(str(c).strip() if c is not None else "" for c in rows[0].cells)
    if header != COLUMNS:
        raise SourceError(f"{name}：表头不正确。\n应为：{','.join(COLUMNS)}\n实际：{','.join(header)}")
    if len(rows) == 1:
        raise SourceError(f"{name}：只有表头，没有数据行")
    return rows[1:]


def _csv_rows(path: Path) -> Iterator[RawRow]:
    try:
        # utf-8-sig: Excel's "CSV UTF-8" starts with a byte-order mark.
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise SourceError(
            f"{path.name}：不是 UTF-8 编码（第 {error.start + 1} 个字节起无法识别）。"
            "用 Excel 保存时请选择“CSV UTF-8（逗号分隔）”。"
        ) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    line = 1
    for cells in reader:
        if any(cell.strip() for cell in cells):
            yield RawRow(line, tuple(cells))
        line = reader.line_num + 1  # a quoted cell may span lines; report where the row starts


def _xlsx_rows(path: Path) -> Iterator[RawRow]:
    from openpyxl import load_workbook  # only the .xlsx path pays for importing openpyxl

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise SourceError(f"{path.name}：无法读取 Excel 文件（{type(error).__name__}）") from None
    try:
        for line, cells in enumerate(workbook.active.iter_rows(values_only=True), start=1):
            cells = _trim(cells)
            if cells:
                yield RawRow(line, _pad(cells))
    finally:
        workbook.close()


def _blank(cell: Cell) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _trim(cells: Sequence[Cell]) -> Tuple[Cell, ...]:
    """Drop trailing empty cells: read-only sheets pad rows to the sheet's widest row."""
    cells = list(cells)
    while cells and _blank(cells[-1]):
        cells.pop()
    return tuple(cells)


def _pad(cells: Tuple[Cell, ...]) -> Tuple[Cell, ...]:
    """Restore empty trailing cells (an empty note) that the sheet does not store."""
    return cells + (None,) * (len(COLUMNS) - len(cells))


def as_text(cell: Cell) -> str:
    """A cell as stripped text (dates as ISO, whole numbers without '.0')."""
    if cell is None:
        return ""
    if isinstance(cell, dt.datetime):
        return cell.date().isoformat()
    if isinstance(cell, dt.date):
        return cell.isoformat()
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()
