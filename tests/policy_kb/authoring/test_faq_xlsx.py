"""make faq-export / faq-import: the real FAQ survives the round trip byte for byte, edits made the
way Excel and WPS make them land in the YAML, and a bad sheet writes nothing."""

import datetime as dt

import openpyxl
import pytest

from policy_kb.authoring import faq_xlsx
from policy_kb.authoring.faq_import import ImportRefused
from policy_kb.authoring.faq_sheet import COLUMNS, SheetError
from policy_kb.authoring.faq_source import read_faq_files
from policy_kb.authoring.faq_xlsx import export, import_workbook
from policy_kb.loader import DATA_DIR, load_kb

COLUMN = {key: index for index, (key, _, _) in enumerate(COLUMNS, start=1)}


def _snapshot(data_dir):
    return {p.relative_to(data_dir): p.read_bytes() for p in sorted(data_dir.rglob("*")) if p.is_file()}


@pytest.fixture
def sheet(tmp_path):
    """The real FAQ exported to a workbook."""
    path = tmp_path / "faqs.xlsx"
    export(path, DATA_DIR)
    return path


def _edit(path, change):
    workbook = openpyxl.load_workbook(path)
    rows = workbook["常见问题"]
    by_id = {rows.cell(r, COLUMN["id"]).value: r for r in range(2, rows.max_row + 1)}
    change(rows, by_id)
    workbook.save(path)


def test_ruamel_reads_and_writes_every_real_faq_file_unchanged():
    for faq_file in read_faq_files(DATA_DIR):
        assert faq_file.dump() == faq_file.path.read_text(encoding="utf-8"), faq_file.name


def test_the_export_has_one_row_per_entry_with_chinese_headers(sheet):
    rows = list(openpyxl.load_workbook(sheet)["常见问题"].iter_rows(values_only=True))
    assert rows[0] == tuple(header for _, header, _ in COLUMNS)
    kb = load_kb()
    assert len(rows) - 1 == len(kb.faqs)
    rent = next(r for r in rows if r[COLUMN["id"] - 1] == "settle_rent")
    assert rent[COLUMN["phrasings"] - 1].split("\n") == list(kb.faqs["settle_rent"].phrasings)
    assert rent[COLUMN["status"] - 1] == "已发布"
    assert rent[COLUMN["review_by"] - 1] == dt.datetime(2027, 6, 30)


def test_export_then_import_rewrites_the_real_files_byte_for_byte(sheet, data_copy):
    """Every entry of a copy is changed, then the export of the real data is imported into it:
    all four files are rewritten through ruamel and must equal the real files exactly."""
    kb = load_kb()
    for faq_file in read_faq_files(data_copy):
        text = faq_file.path.read_text(encoding="utf-8")
        for entry in faq_file.entries:
            text = text.replace(kb.faqs[entry["id"]].answer, kb.faqs[entry["id"]].answer + "（旧稿）", 1)
        text = text.replace("articles: [三]", "articles: [三, 四]").replace("status: published", "status: draft", 1)
        faq_file.path.write_text(text, encoding="utf-8")
    result = import_workbook(sheet, data_copy)
    assert sorted(result.written) == ["reform.yml", "registration.yml", "services.yml", "settle.yml"]
    assert len(result.changed) == len(kb.faqs) and not result.added
    assert _snapshot(data_copy) == _snapshot(DATA_DIR)


def test_importing_an_unchanged_export_writes_nothing(sheet, data_copy):
    before = _snapshot(data_copy)
    result = import_workbook(sheet, data_copy)
    assert result.written == [] and _snapshot(data_copy) == before


def test_edits_typed_in_excel_or_wps_land_in_the_yaml(sheet, data_copy):
    def change(rows, by_id):
        rent, goal = by_id["settle_rent"], by_id["goal_2020"]
        rows.cell(rent, COLUMN["answer"]).value = "可以申请（新版）。请拨打{hotline}。   "  # trailing spaces
        rows.cell(rent, COLUMN["articles"]).value = 3  # a number typed where 三 was
        rows.cell(rent, COLUMN["review_by"]).value = "2028/1/5"  # a date typed as text
        rows.cell(goal, COLUMN["review_by"]).value = dt.datetime(2028, 2, 1)  # a date cell
        rows.cell(goal, COLUMN["phrasings"]).value = (
            rows.cell(goal, COLUMN["phrasings"]).value + "\n  新增一个问法 \n\n"
        )
        rows.cell(goal, COLUMN["owner"]).value = 12345.0  # WPS keeps numbers as floats
        rows.insert_rows(5, 2)  # empty rows in the middle

    _edit(sheet, change)
    result = import_workbook(sheet, data_copy)
    assert sorted(result.changed) == ["goal_2020", "settle_rent"] and sorted(result.written) == [
        "reform.yml",
        "settle.yml",
    ]
    kb = load_kb(data_copy)
    rent, goal = kb.faqs["settle_rent"], kb.faqs["goal_2020"]
    assert rent.answer == "可以申请（新版）。请拨打{hotline}。" and rent.articles == ("三",)
    assert rent.review_by == dt.date(2028, 1, 5) and goal.review_by == dt.date(2028, 2, 1)
    assert goal.phrasings[-1] == "新增一个问法" and goal.owner == "12345"
    settle = (data_copy / "faqs" / "settle.yml").read_text(encoding="utf-8")
    original = (DATA_DIR / "faqs" / "settle.yml").read_text(encoding="utf-8")
    changed = [(a, b) for a, b in zip(original.splitlines(), settle.splitlines(), strict=True) if a != b]
    assert len(changed) == 2  # the answer line and the review date, nothing else moved
    assert settle.splitlines()[:6] == original.splitlines()[:6]  # header comments kept


def test_a_new_row_is_appended_to_its_file(sheet, data_copy):
    def change(rows, by_id):
        values = [
            "reform",
            "goal_new",
            "faq_goal",
            "户籍改革什么时候完成？",
            "问法一\n问法二",
            "到2020年。",
            "一",
            "goal_2020",
            "",
            "草稿",
            None,
        ]
        new_row = rows.max_row + 1
        for key, value in zip(COLUMN, values, strict=True):
            rows.cell(new_row, COLUMN[key]).value = value

    _edit(sheet, change)
    assert import_workbook(sheet, data_copy).added == ["goal_new"]
    text = (data_copy / "faqs" / "reform.yml").read_text(encoding="utf-8")
    assert text.endswith(
        "\n\n  - id: goal_new\n    intent: faq_goal\n    question: 户籍改革什么时候完成？\n    phrasings:\n"
        "      - 问法一\n      - 问法二\n    answer: >-\n      到2020年。\n    articles: [一]\n"
        "    related: [goal_2020]\n    status: draft\n"
    )
    assert load_kb(data_copy).faqs["goal_new"].status == "draft"


@pytest.mark.parametrize(
    "key, value, message",
    [
        ("articles", "三\n十九", "第 {row} 行（settle_rent）：引用了不存在的条款 “十九”"),
        ("id", None, "第 {row} 行（无编号）：“编号”不能为空"),
        ("file", "nosuch.yml", "第 {row} 行（settle_rent）：文件 nosuch.yml 不存在"),
        (
            "file",
            "services.yml",
            "第 {row} 行（settle_rent）：条目 settle_rent 在 settle.yml 里，不能在表格里改到别的文件",
        ),
        ("status", "上线", "第 {row} 行（settle_rent）：状态只能填“已发布”或“草稿”"),
        ("review_by", "明年六月", "第 {row} 行（settle_rent）：复核日期应写成 YYYY-MM-DD"),
        ("related", "no_such_entry", "第 {row} 行（settle_rent）：相关问题 no_such_entry 不存在"),
        ("answer", "请拨打{hotline_number}", "第 {row} 行（settle_rent）：答案里的占位符 {hotline_number} 不存在"),
    ],
)
def test_a_bad_row_writes_nothing_and_names_the_row(sheet, data_copy, key, value, message):
    row_of = {}

    def change(rows, by_id):
        row_of.update(by_id)
        rows.cell(by_id["settle_rent"], COLUMN[key]).value = value

    _edit(sheet, change)
    before = _snapshot(data_copy)
    with pytest.raises(ImportRefused) as refused:
        import_workbook(sheet, data_copy)
    expected = message.replace("{row}", str(row_of["settle_rent"]))
    assert any(p.startswith(expected) for p in refused.value.problems), refused.value.problems
    assert _snapshot(data_copy) == before


def test_a_deleted_row_is_refused_not_taken_as_a_deletion(sheet, data_copy):
    _edit(sheet, lambda rows, by_id: rows.delete_rows(by_id["settle_rent"]))
    with pytest.raises(ImportRefused, match="表格里缺少条目 settle_rent（faqs/settle.yml）"):
        import_workbook(sheet, data_copy)


def test_a_duplicated_row_is_refused(sheet, data_copy):
    def change(rows, by_id):
        new_row = rows.max_row + 1
        for column in range(1, len(COLUMNS) + 1):
            rows.cell(new_row, column).value = rows.cell(by_id["settle_rent"], column).value

    _edit(sheet, change)
    with pytest.raises(ImportRefused, match=r"编号 settle_rent 与第 \d+ 行重复"):
        import_workbook(sheet, data_copy)


def test_a_file_that_is_not_a_workbook_gets_a_chinese_error(tmp_path, data_copy, capsys):
    fake = tmp_path / "faqs.xlsx"
    fake.write_text("id,question\n", encoding="utf-8")
    with pytest.raises(SheetError, match="不是有效的 .xlsx 文件"):
        import_workbook(fake, data_copy)
    assert faq_xlsx.main(["import", str(fake), "--data-dir", str(data_copy)]) == 1
    assert "不是有效的 .xlsx 文件" in capsys.readouterr().err


def test_a_sheet_without_the_headers_is_refused(tmp_path, data_copy):
    path = tmp_path / "faqs.xlsx"
    workbook = openpyxl.Workbook()
    workbook.active.append(["编号", "答案"])
    workbook.save(path)
    with pytest.raises(SheetError, match="表头缺少列：文件、意图"):
        import_workbook(path, data_copy)


def test_the_command_line_exports_and_imports(tmp_path, data_copy, capsys):
    path = tmp_path / "out.xlsx"
    assert faq_xlsx.main(["export", str(path), "--data-dir", str(data_copy)]) == 0
    assert faq_xlsx.main(["import", str(path), "--data-dir", str(data_copy)]) == 0
    out = capsys.readouterr().out
    assert f"已导出 {len(load_kb(data_copy).faqs)} 条问答" in out and "没有需要写入的修改" in out
    assert faq_xlsx.main(["export", str(tmp_path / "out.csv"), "--data-dir", str(data_copy)]) == 1
