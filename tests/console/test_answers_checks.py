"""The answers library's guarantees, each through the console's API as the browser calls it:
every check of make faq-check at the field it concerns, in Chinese, and the same edit refused on
submit (issue 19, point 2); a save made against a version that has since been published is
refused with both versions (point 8); a long answer previewed in WeChat's pages (point 3); a
spreadsheet with one wrong row among good ones writes nothing anywhere (point 6)."""

import io
import os
from pathlib import Path

import openpyxl
import pytest
from aiohttp import FormData

from bot.channels.wechat_render import MORE_HINT
from policy_kb.authoring.publish import ensure_published, publish
from policy_kb.authoring.publish_store import current_version
from policy_kb.model import WECHAT_TEXT_LIMIT_BYTES
from tests.console.conftest import console, run
from tests.console.test_answers import NEW_ANSWER, _as, _edit, _entry

# An answer under WeChat's limit by itself, over it once the basis line is added.
NEAR_LIMIT = "答" * ((WECHAT_TEXT_LIMIT_BYTES - 60) // 3)
# (what is wrong, the change to settle_rent, the field, what the editor says there)
WRONG = [
    ("no such article", {"articles": ["三", "十九"]}, "articles", "引用了不存在的条款 “十九”"),
    ("published without a citation", {"articles": []}, "articles", "已发布的条目必须引用至少一条条款"),
    ("over WeChat's limit with the basis line", {"answer": NEAR_LIMIT}, "answer", "超过微信 2047 字节上限"),
    ("another FAQ's phrasing", {"phrasings": ["在韶关落户有哪几种办法？"]}, "phrasings", "与问答 overview_pathways"),
    (
        "an intent's training example",
        {"phrasings": ["新生儿点样报户口"]},
        "phrasings",
        "与意图 ask_not_covered 的训练例句“新生儿点样报户口”相同",
    ),
    ("review-by in the past", {"review_by": "2020-01-01"}, "review_by", "复核日期 2020-01-01 已过"),
    ("an intent the model does not know", {"intent": "faq_made_up"}, "intent", "意图 faq_made_up 不在已训练的模型里"),
]


@pytest.fixture
def published(private_answers):
    root = Path(os.environ["KB_PUBLISH_DIR"])
    ensure_published(private_answers, root)
    return root


@pytest.mark.parametrize("change, field, message", [w[1:] for w in WRONG], ids=[w[0] for w in WRONG])
def test_each_check_is_shown_at_its_field_and_blocks_the_submission(tmp_path, users, published, change, field, message):
    assert len(NEAR_LIMIT.encode("utf-8")) < WECHAT_TEXT_LIMIT_BYTES

    async def scenario(c):
        await _as(c, "comms1")
        body = _edit(await _entry(c, "settle_rent"), **change)
        problems = (await (await c.post("/staff/api/answers/check", body)).json())["problems"]
        assert any(p["field"] == field and message in p["message"] for p in problems), problems
        refused = await c.post("/staff/api/changes", body)
        assert refused.status == 400
        assert (await refused.json())["problems"] == problems
        assert (await (await c.get("/staff/api/changes")).json())["change_sets"] == []

    run(_in(tmp_path, scenario))


def test_a_save_against_a_version_published_since_is_refused_with_both_versions(
    tmp_path, users, published, private_answers
):
    async def scenario(c):
        await _as(c, "comms1")
        opened = await _entry(c, "settle_rent")
        settle = private_answers / "faqs" / "settle.yml"  # meanwhile, published from the command line
        settle.write_text(
            settle.read_text(encoding="utf-8").replace("可以申请。《实施意见》", "可以。《实施意见》", 1),
            encoding="utf-8",
        )
        assert publish(private_answers, published, by="engineer") == 2
        response = await c.post("/staff/api/changes", _edit(opened, answer=NEW_ANSWER))
        assert response.status == 409
        body = await response.json()
        assert "已被别人修改并发布" in body["error"] and "您的修改没有保存" in body["error"]
        assert body["theirs"]["answer"].startswith("可以。《实施意见》") and body["yours"]["answer"] == NEW_ANSWER
        assert (await (await c.get("/staff/api/changes")).json())["change_sets"] == []

    run(_in(tmp_path, scenario))


def _sheet_with(content, edits):
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    sheet = workbook["常见问题"]
    headers = [cell.value for cell in sheet[1]]
    for faq_id, column, value in edits:
        row = next(r for r in sheet.iter_rows(min_row=2) if r[headers.index("编号")].value == faq_id)
        row[headers.index(column)].value = value
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_one_wrong_row_among_good_ones_writes_nothing(tmp_path, users, published, private_answers):
    files = {p: p.read_bytes() for p in sorted((private_answers / "faqs").glob("*.yml"))}
    live = {p: p.read_bytes() for p in sorted((published / "current" / "faqs").glob("*.yml"))}

    async def scenario(c):
        await _as(c, "comms1")
        content = await (await c.get("/staff/api/answers/sheet")).read()
        good = ("settle_rent", "答案", "可以申请，详情请咨询{hotline}。")
        bad = ("settle_own_home", "复核日期", "2020-01-01")
        form = FormData()
        form.add_field("file", _sheet_with(content, [good, bad]), filename="faqs.xlsx")
        form.add_field("note", "一行好一行错")
        response = await c.client.post(
            "/staff/api/answers/sheet", data=form, headers={"Origin": c.origin, "X-CSRF-Token": c.csrf}
        )
        assert response.status == 400
        rows = (await response.json())["rows"]
        assert len(rows) == 1 and rows[0].startswith("第 ") and "settle_own_home" in rows[0] and "已过" in rows[0]
        assert (await (await c.get("/staff/api/changes")).json())["change_sets"] == []

    run(_in(tmp_path, scenario))
    assert {p: p.read_bytes() for p in files} == files  # policy_kb/data (the copy) untouched
    assert {p: p.read_bytes() for p in live} == live and current_version(published) == 1


def test_a_long_answer_is_previewed_in_wechat_pages_as_residents_get_them(tmp_path, users, published):
    """Point 3: the basis line, the buttons as 回复N lines, and pages of at most 2047 bytes."""
    long_answer = "这是一句用来测试微信分页的较长答案。" * 30

    async def scenario(c):
        await _as(c, "comms1")
        body = _edit(await _entry(c, "settle_rent"), answer=long_answer)
        assert (await (await c.post("/staff/api/answers/check", body)).json())["problems"] == []
        shown = await (await c.post("/staff/api/answers/preview", body)).json()
        assert shown["web"]["text"].startswith(long_answer) and "依据：" in shown["web"]["text"]
        pages = shown["wechat"]
        assert len(pages) >= 2 and all(len(page.encode("utf-8")) <= WECHAT_TEXT_LIMIT_BYTES for page in pages)
        assert pages[0].endswith(MORE_HINT) and "回复1：" in pages[0] and pages[-1].endswith("：没用")
        assert "".join(pages).count("依据：") == 1

    run(_in(tmp_path, scenario))


async def _in(tmp_path, scenario):
    async with console(tmp_path) as c:
        return await scenario(c)
