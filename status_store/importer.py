"""Import the hukou system's export: ``python -m status_store.importer FILE [--only-valid]``.

Every row is validated before anything is written, and a file with any bad row imports nothing
unless the operator explicitly asks for ``--only-valid``: a half-imported export would leave
residents reading a mix of old and new states. Writes happen in one transaction, and nothing is
ever deleted: a newer ``updated_at`` updates the current state and appends to the history.

Exit codes: 0 imported; 1 the file has bad rows and nothing was imported; 2 the file could not be
read at all (missing, empty, wrong header, not UTF-8) or the settings are unsafe; 3 the database
could not be reached or refused the write (nothing imported: one transaction).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Sequence

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from platform_core.settings import Settings, SettingsError, get_settings
from status_store.db import session_scope
from status_store.models import Application, StatusHistory
from status_store.privacy import credential_hmac
from status_store.rows import RowError, ValidRow, validate_rows
from status_store.source import SourceError, read_rows

_CHUNK = 500  # application numbers per IN (...) query: well under every driver's parameter limit


@dataclass
class ImportSummary:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    stale: int = 0  # older than what the store already has: kept out, counted as unchanged

    def count(self, outcome: str) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)

    def __str__(self) -> str:
        text = f"新增 {self.added} 条，更新 {self.updated} 条，未变 {self.unchanged + self.stale} 条"
        return text + (f"（其中 {self.stale} 条早于库中记录，未覆盖）" if self.stale else "")


@dataclass
class ImportReport:
    errors: List[RowError] = field(default_factory=list)
    summary: Optional[ImportSummary] = None  # None: nothing was imported

    @property
    def imported(self) -> bool:
        return self.summary is not None


def import_file(
    path: Path, *, only_valid: bool = False, settings: Optional[Settings] = None, today: Optional[dt.date] = None
) -> ImportReport:
    """Validate ``path`` and import it (all rows, or with ``only_valid`` the good ones).

    Raises :class:`SourceError` when the file cannot be read as an export at all.
    """
    valid, errors = validate_rows(read_rows(Path(path)), today)
    if errors and not only_valid:
        return ImportReport(errors=errors)
    return ImportReport(errors=errors, summary=store_rows(valid, settings or get_settings()))


def store_rows(rows: Sequence[ValidRow], settings: Settings) -> ImportSummary:
    """Write validated rows in one transaction and say what changed."""
    summary = ImportSummary()
    with session_scope(settings) as session:
        existing = _existing(session, [row.application_no for row in rows])
        for row in rows:
            id_hmac = credential_hmac(settings.hmac_secret, row.application_no, row.id_tail)
            summary.count(_apply(session, existing.get(row.application_no), row, id_hmac))
    return summary


def _existing(session: Session, numbers: List[str]) -> Dict[str, Application]:
    found: Dict[str, Application] = {}
    for start in range(0, len(numbers), _CHUNK):
        query = select(Application).where(Application.application_no.in_(numbers[start : start + _CHUNK]))
        found.update((app.application_no, app) for app in session.scalars(query))
    return found


def _apply(session: Session, app: Optional[Application], row: ValidRow, id_hmac: str) -> str:
    if app is None:
        app = Application(application_no=row.application_no)
        _copy(app, row, id_hmac)
        session.add(app)
        session.add(_history(app, row))
        return "added"
    if row.updated_at < app.updated_at:
        return "stale"
    state_changed = _state(app) != (row.status, row.office, row.note, row.updated_at)
    if not state_changed and _identity(app) == (id_hmac, row.masked_name, row.category, row.submitted_at):
        return "unchanged"
    # A newer date, or the same date with different content (the hukou system correcting
    # itself): the export wins, and the previous state stays in the history.
    _copy(app, row, id_hmac)
    if state_changed:
        session.add(_history(app, row))
    return "updated"


def _state(app: Application) -> tuple:
    return (app.status, app.office, app.note, app.updated_at)


def _identity(app: Application) -> tuple:
    return (app.id_hmac, app.masked_name, app.category, app.submitted_at)


def _copy(app: Application, row: ValidRow, id_hmac: str) -> None:
    app.id_hmac, app.masked_name, app.category = id_hmac, row.masked_name, row.category
    app.status, app.office, app.note = row.status, row.office, row.note
    app.submitted_at, app.updated_at = row.submitted_at, row.updated_at


def _history(app: Application, row: ValidRow) -> StatusHistory:
    return StatusHistory(
        application=app, status=row.status, office=row.office, note=row.note, updated_at=row.updated_at
    )


def _print_errors(errors: Iterable[RowError]) -> None:
    for error in errors:
        print(error, file=sys.stderr)


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="导入户籍系统导出的申请进度（UTF-8 CSV 或 .xlsx）")
    parser.add_argument("file", type=Path, help="导出文件路径")
    parser.add_argument("--only-valid", action="store_true", help="有错误行时仍导入其余正确的行")
    args = parser.parse_args(argv)
    try:
        report = import_file(args.file, only_valid=args.only_valid)
    except (SourceError, SettingsError) as error:
        print(f"导入失败：{error}", file=sys.stderr)
        return 2
    except SQLAlchemyError as error:
        # The driver's message can quote row values; the class name is enough to start looking.
        print(f"导入失败：状态库不可用或写入出错（{type(error).__name__}），未导入任何记录。", file=sys.stderr)
        return 3
    _print_errors(report.errors)
    if not report.imported:
        print(
            f"发现 {len(report.errors)} 行有错误，未导入任何记录。修正后重新导入，或加 --only-valid 只导入正确的行。",
            file=sys.stderr,
        )
        return 1
    skipped = f"；跳过 {len(report.errors)} 行有错误的记录" if report.errors else ""
    print(f"导入完成：{report.summary}{skipped}。")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
