"""Importing the hukou system's export: validation first, all-or-nothing, idempotent, append-only."""

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from platform_core.settings import get_settings
from status_store.db import session_scope
from status_store.importer import import_file, main
from status_store.models import Application, StatusHistory
from status_store.source import SourceError
from tests.status_store.helpers import make_id, read_csv, row, write_csv, write_xlsx, wrong_check

REPO = Path(__file__).resolve().parents[2]
SAMPLE = Path(__file__).parent / "fixtures" / "applications.csv"


def _count(settings, model):
    with session_scope(settings) as session:
        return session.scalar(select(func.count(model.id)))


def _app(settings, number):
    with session_scope(settings) as session:
        return session.scalar(select(Application).where(Application.application_no == number))


def _history(settings, number):
    with session_scope(settings) as session:
        query = select(StatusHistory).join(Application).where(Application.application_no == number)
        return [(h.status, h.updated_at.isoformat()) for h in session.scalars(query.order_by(StatusHistory.id))]


def test_sample_export_imports_cleanly(settings):
    report = import_file(SAMPLE, settings=settings)
    assert report.errors == [] and report.imported
    assert (report.summary.added, report.summary.updated, report.summary.unchanged) == (8, 0, 0)
    assert _count(settings, Application) == 8 and _count(settings, StatusHistory) == 8
    app = _app(settings, "SG2026110002")
    assert (app.masked_name, app.status, app.office) == ("欧***", "需补充材料", "浈江区户政窗口")
    assert "房屋租赁合同原件" in app.note


BAD_ROWS = [
    (row("SG2026110002", id_number=wrong_check(make_id(seq=2))), "校验位不正确"),
    (row("SG2026110003", id_number="440299900101123"), "15 位旧版身份证号码不再受理"),
    (row("SG2026110004", status="办理中"), "状态“办理中”不在已知状态中"),
    (row("SG2026110005", submitted_at="2026-02-30"), "submitted_at “2026-02-30”不是有效日期"),
    (row("SG2026110006", updated_at="2026/10/20"), "不是有效日期"),
    (row("SG2026110007", submitted_at="2026-10-21"), "updated_at 早于 submitted_at"),
    (row("SG2026110008", office=""), "office 不能为空"),
    (row("SG/2026#9"), "受理编号“SG/2026#9”格式不正确"),
    (row("SG2026110010", updated_at="2099-01-01"), "晚于今天"),
    (row("440299199001011023"), "受理编号看起来是身份证号码或手机号码"),
]


def test_every_bad_row_is_reported_with_its_line_and_nothing_is_imported(settings, tmp_path):
    path = write_csv(tmp_path / "bad.csv", [row("SG2026110001")] + [bad for bad, _ in BAD_ROWS])
    report = import_file(path, settings=settings)
    assert not report.imported and _count(settings, Application) == 0
    assert [error.line for error in report.errors] == list(range(3, 3 + len(BAD_ROWS)))
    for error, (_, message) in zip(report.errors, BAD_ROWS, strict=True):
        assert message in str(error), str(error)
        assert str(error).startswith(f"第 {error.line} 行：")


def test_one_row_with_several_problems_lists_them_all(settings, tmp_path):
    path = write_csv(tmp_path / "bad.csv", [row(status="x", updated_at="bad", category="")])
    (error,) = import_file(path, settings=settings).errors
    assert {"category 不能为空", "状态“x”不在已知状态中"} <= {p.split("（")[0] for p in error.problems}
    assert any("updated_at" in p for p in error.problems)


def test_duplicates_after_normalisation_are_all_reported(settings, tmp_path):
    rows = [row("SG2026110001"), row("SG2026110002"), row("sg-2026-110001")]
    report = import_file(write_csv(tmp_path / "dup.csv", rows), settings=settings)
    assert [e.line for e in report.errors] == [2, 4]
    assert all("受理编号 SG2026110001 重复（第 2、4 行）" in str(e) for e in report.errors)


def test_error_messages_never_repeat_id_numbers(settings, tmp_path):
    ids = [wrong_check(make_id(seq=7)), "440299900101123", make_id(seq=8)]
    rows = [
        row("SG2026110007", id_number=ids[0]),
        row("SG2026110008", id_number=ids[1]),
        row("SG2026110009", id_number=ids[2], status="?"),
    ]
    text = "\n".join(str(e) for e in import_file(write_csv(tmp_path / "b.csv", rows), settings=settings).errors)
    assert not any(value in text or value[-6:] in text for value in ids)


def test_only_valid_imports_the_good_rows_and_still_lists_the_bad(settings, tmp_path):
    rows = [row("SG2026110001"), row("SG2026110002", status="办理中"), row("SG2026110003")]
    report = import_file(write_csv(tmp_path / "mixed.csv", rows), settings=settings, only_valid=True)
    assert [e.line for e in report.errors] == [3]
    assert report.summary.added == 2
    assert _app(settings, "SG2026110002") is None and _app(settings, "SG2026110003") is not None


def test_reimporting_the_same_file_changes_nothing(settings):
    import_file(SAMPLE, settings=settings)
    before = _app(settings, "SG2026110001").imported_at
    summary = import_file(SAMPLE, settings=settings).summary
    assert (summary.added, summary.updated, summary.unchanged) == (0, 0, 8)
    assert str(summary) == "新增 0 条，更新 0 条，未变 8 条"
    assert _count(settings, StatusHistory) == 8
    assert _app(settings, "SG2026110001").imported_at == before


def test_newer_update_appends_history_and_nothing_is_lost(settings, tmp_path):
    import_file(write_csv(tmp_path / "a.csv", [row("SG2026110001"), row("SG2026110002")]), settings=settings)
    newer = row("SG2026110001", status="需补充材料", updated_at="2026-11-03", note="请补交户口簿原件")
    summary = import_file(write_csv(tmp_path / "b.csv", [newer]), settings=settings).summary
    assert (summary.added, summary.updated) == (0, 1)
    assert _history(settings, "SG2026110001") == [("审核中", "2026-10-20"), ("需补充材料", "2026-11-03")]
    app = _app(settings, "SG2026110001")
    assert (app.status, app.note) == ("需补充材料", "请补交户口簿原件")
    assert _app(settings, "SG2026110002") is not None  # absent from the newer file, still kept


def test_an_older_export_does_not_overwrite_newer_state(settings, tmp_path):
    import_file(write_csv(tmp_path / "new.csv", [row(status="已办结", updated_at="2026-11-03")]), settings=settings)
    summary = import_file(write_csv(tmp_path / "old.csv", [row()]), settings=settings).summary
    assert summary.stale == 1 and "其中 1 条早于库中记录" in str(summary)
    assert _app(settings, "SG2026110001").status == "已办结"
    assert _history(settings, "SG2026110001") == [("已办结", "2026-11-03")]


def test_same_day_correction_updates_and_keeps_the_previous_state(settings, tmp_path):
    import_file(write_csv(tmp_path / "a.csv", [row()]), settings=settings)
    summary = import_file(write_csv(tmp_path / "b.csv", [row(status="需补充材料")]), settings=settings).summary
    assert summary.updated == 1
    assert _history(settings, "SG2026110001") == [("审核中", "2026-10-20"), ("需补充材料", "2026-10-20")]


def test_notes_are_redacted_before_they_are_stored(settings, tmp_path):
    note = f"请联系13812345678，核对身份证{make_id(seq=5)}"
    import_file(write_csv(tmp_path / "a.csv", [row(note=note)]), settings=settings)
    assert _app(settings, "SG2026110001").note == "请联系[已隐去]，核对身份证[已隐去]"


def test_xlsx_with_the_same_data_imports_the_same(settings, tmp_path):
    data = read_csv(SAMPLE)
    cells = [[r[c] for c in r] for r in data]
    for line in cells:  # dates as real Excel dates, as the hukou system's export has them
        line[5], line[6] = dt.date.fromisoformat(line[5]), dt.date.fromisoformat(line[6])
        line[8] = line[8] or None
    report = import_file(write_xlsx(tmp_path / "export.xlsx", cells), settings=settings)
    assert report.errors == [] and report.summary.added == 8
    assert import_file(SAMPLE, settings=settings).summary.unchanged == 8


def test_xlsx_errors_have_sheet_row_numbers_and_numeric_ids_are_refused(settings, tmp_path):
    good = list(row("SG2026110001").values())
    numeric = list(row("SG2026110002", id_number="").values())
    numeric[1] = 440299199001011023
    report = import_file(write_xlsx(tmp_path / "x.xlsx", [good, numeric]), settings=settings)
    assert [(e.line, "保存为数字" in str(e)) for e in report.errors] == [(3, True)]


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "文件为空"),
        ("application_no,id_number\nSG1,2\n".encode(), "表头不正确"),
        (",".join(["application_no"] * 9).encode() + b"\n", "表头不正确"),
        (b"application_no,id_number,applicant_name,category,status,submitted_at,updated_at,office,note\n", "只有表头"),
        (
            "application_no,id_number,applicant_name,category,status,submitted_at,updated_at,office,note\n"
            "SG2026110001,440299199001011023,张三,租房落户,审核中,2026-10-08,2026-10-20,武江区,\n".encode("gbk"),
            "不是 UTF-8 编码",
        ),
    ],
)
def test_unreadable_files_are_refused_as_a_whole(settings, tmp_path, content, message):
    path = tmp_path / "export.csv"
    path.write_bytes(content)
    with pytest.raises(SourceError, match=message):
        import_file(path, settings=settings)


def test_missing_file_wrong_type_and_broken_xlsx_are_refused(settings, tmp_path):
    with pytest.raises(SourceError, match="找不到文件"):
        import_file(tmp_path / "none.csv", settings=settings)
    (tmp_path / "a.txt").write_text("x")
    with pytest.raises(SourceError, match="不支持的文件类型"):
        import_file(tmp_path / "a.txt", settings=settings)
    (tmp_path / "b.xlsx").write_bytes(b"not a zip")
    with pytest.raises(SourceError, match="无法读取 Excel 文件"):
        import_file(tmp_path / "b.xlsx", settings=settings)


def test_excel_bom_quoted_multiline_cells_and_blank_lines_are_read(settings, tmp_path):
    path = write_csv(tmp_path / "a.csv", [row(note="请补交：\n1. 租赁合同"), row("SG2026110002", status="?")])
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes() + b"\n\n")
    report = import_file(path, settings=settings)
    assert [e.line for e in report.errors] == [4]  # the quoted note spans lines 2-3


@pytest.fixture
def env(settings, monkeypatch):
    """Point the process settings (what the command line uses) at the test database."""
    monkeypatch.setenv("STATUS_DB_URL", settings.status_db_url)
    monkeypatch.setenv("STATUS_HMAC_SECRET", settings.hmac_secret.decode())
    monkeypatch.setenv("APP_MODE", "embedded")
    get_settings.cache_clear()
    yield os.environ.copy()
    get_settings.cache_clear()


def test_command_line_summary_and_exit_codes(env, tmp_path, capsys):
    assert main([str(SAMPLE)]) == 0
    assert "导入完成：新增 8 条，更新 0 条，未变 0 条。" in capsys.readouterr().out
    bad = write_csv(tmp_path / "bad.csv", [row("SG2026110009"), row("SG2026110010", status="?")])
    assert main([str(bad)]) == 1
    err = capsys.readouterr().err
    assert "第 3 行" in err and "未导入任何记录" in err
    assert main([str(bad), "--only-valid"]) == 0
    out, err = capsys.readouterr()
    assert "新增 1 条" in out and "跳过 1 行" in out and "第 3 行" in err
    (tmp_path / "empty.csv").write_bytes(b"")
    assert main([str(tmp_path / "empty.csv")]) == 2
    assert "文件为空" in capsys.readouterr().err


def test_command_line_refuses_production_without_secret(env, monkeypatch, capsys):
    monkeypatch.setenv("APP_MODE", "production")
    monkeypatch.delenv("STATUS_HMAC_SECRET")
    get_settings.cache_clear()
    assert main([str(SAMPLE)]) == 2
    assert "STATUS_HMAC_SECRET" in capsys.readouterr().err


def test_runs_as_a_module(env, tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "status_store.importer", str(tmp_path / "nothing.csv")],
        cwd=REPO,
        env={**env, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2 and "找不到文件" in result.stderr
