"""Test data for the status store: made-up ID numbers with correct GB 11643 check characters.

Region 440299 is not an assigned area code (韶关's districts are 440203–440282), so no ID made
here can belong to a real person.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Dict, Iterable, List

from status_store.privacy import check_digit
from status_store.source import COLUMNS

FAKE_REGION = "440299"


def make_id(birth: str = "19900101", seq: int = 1) -> str:
    """A valid-looking 18-character ID: fake region, ``birth`` (YYYYMMDD), sequence, check char."""
    first17 = f"{FAKE_REGION}{birth}{seq:03d}"
    return first17 + check_digit(first17)


def wrong_check(id_number: str) -> str:
    """The same ID with a different (wrong) check character."""
    wrong = "0" if id_number[-1] != "0" else "1"
    return id_number[:-1] + wrong


def row(number: str = "SG2026110001", **changes: str) -> Dict[str, str]:
    """One export row; each number gets its own ID (sequence from the number's digits)."""
    digits = "".join(c for c in number if c.isdigit())[-3:] or "0"
    base = {
        "application_no": number,
        "id_number": make_id(seq=int(digits)),
        "applicant_name": "张三",
        "category": "租房落户",
        "status": "审核中",
        "submitted_at": "2026-10-08",
        "updated_at": "2026-10-20",
        "office": "武江区户政窗口",
        "note": "",
    }
    base.update(changes)
    return base


def write_csv(path: Path, rows: Iterable[Dict[str, str]], header: Iterable[str] = COLUMNS) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(list(header))
        for item in rows:
            writer.writerow([item.get(column, "") for column in COLUMNS])
    return path


def write_xlsx(path: Path, rows: Iterable[List]) -> Path:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(COLUMNS))
    for cells in rows:
        sheet.append(list(cells))
    workbook.save(path)
    return path


def read_csv(path: Path) -> List[Dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))
