"""The FAQ spreadsheet in the console: download what residents are served, upload an edited sheet
as a change set for review; a sheet with any wrong row is refused row by row and nothing saved."""

import io
import os
from pathlib import Path

import openpyxl
import pytest
from aiohttp import FormData

from policy_kb.authoring.publish import ensure_published
from tests.console.conftest import console, run


@pytest.fixture
def published(private_answers):
    ensure_published(private_answers, Path(os.environ["KB_PUBLISH_DIR"]))


def _edited(content: bytes, faq_id: str, column: str, value: str) -> bytes:
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    sheet = workbook["常见问题"]
    headers = [cell.value for cell in sheet[1]]
    row = next(r for r in sheet.iter_rows(min_row=2) if r[headers.index("编号")].value == faq_id)
    row[headers.index(column)].value = value
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


async def _upload(c, content: bytes):
    form = FormData()
    form.add_field("file", content, filename="faqs.xlsx")
    form.add_field("note", "表格修改")
    return await c.client.post(
        "/staff/api/answers/sheet", data=form, headers={"Origin": c.origin, "X-CSRF-Token": c.csrf}
    )


async def _sheet(c) -> bytes:
    response = await c.get("/staff/api/answers/sheet")
    assert response.status == 200 and "faqs.xlsx" in response.headers["Content-Disposition"]
    return await response.read()


def test_an_edited_sheet_becomes_one_change_set(tmp_path, users, published):
    async def scenario(c):
        await c.login("comms1")
        content = _edited(await _sheet(c), "settle_rent", "答案", "可以申请，详情请咨询{hotline}。")
        response = await _upload(c, content)
        assert response.status == 201, await response.text()
        change = (await response.json())["change_set"]["changes"]
        assert [(ch["id"], [f["field"] for f in ch["fields"]]) for ch in change] == [("settle_rent", ["answer"])]

    run(_in(tmp_path, scenario))


def test_a_sheet_with_a_wrong_row_is_refused_and_nothing_saved(tmp_path, users, published):
    async def scenario(c):
        await c.login("comms1")
        content = _edited(await _sheet(c), "settle_rent", "引用条款", "三、十九")
        response = await _upload(c, content)
        assert response.status == 400
        rows = (await response.json())["rows"]
        assert any(r.startswith("第 ") and "settle_rent" in r and "十九" in r for r in rows), rows
        assert (await (await c.get("/staff/api/changes")).json())["change_sets"] == []
        unchanged = await _upload(c, await _sheet(c))
        assert unchanged.status == 400 and "没有需要审核的修改" in (await unchanged.json())["error"]

    run(_in(tmp_path, scenario))


def test_a_hotline_account_cannot_upload(tmp_path, users, published):
    async def scenario(c):
        await c.login("hotline1")
        assert (await _upload(c, await _sheet(c))).status == 403

    run(_in(tmp_path, scenario))


async def _in(tmp_path, scenario):
    async with console(tmp_path) as c:
        return await scenario(c)
