"""Issue 19, point 9: axe-core (webchat's devDependency, run in Debian's chromium) with the wcag2a,
wcag2aa, wcag21aa and wcag22aa tags and ``target-size`` finds nothing on any page of the staff
console, in the states staff actually see them (with data, with errors shown, with the diff and
the history filled in), nor on the resident chat page in normal and 大字 mode.

Console pages: 登录 (empty and refused), 首页, 政策检索 (with results), 进度查询 (with an answer),
转人工队列 (with a conversation), 对话详情, 问答分析 (with a group), 审计日志, 无法完成请求 (a
refused role), 问答库 (list, the document, the spreadsheet with row errors, one entry, the editor
with live errors, preview and try, a new entry, the two versions of a refused concurrent save, as
hotline read-only), 审核与发布 (a change under review, approved, the history with roll back).
Staff accounts are made with ``make staff-user``; the console has no page of its own for them.
"""

import io

import openpyxl
import pytest
from playwright.sync_api import expect

from tests.e2e.axe import violations
from tests.e2e.staff import WAIT_MS, answers_stack, shot, signed_in
from tests.e2e.test_webchat import _open

HANDOFF_SENDER = "axe-handoff"
SECOND_ANSWER = "另一位编辑同时写的答案。请拨打{hotline}咨询。"


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    with answers_stack(tmp_path_factory.mktemp("axe-stack")) as running:
        running.ask("租房可以落户吗", sender=HANDOFF_SENDER)
        running.ask("转人工", sender=HANDOFF_SENDER)
        for number, text in enumerate(("落户要交多少钱", "落户要交钱吗")):
            running.ask(text, sender=f"axe-report-{number}")
        yield running


class Found:
    """Every violation, named by the page and state it was seen in."""

    def __init__(self):
        self.items = []

    def check(self, page, where, settle=True):
        if settle:  # the console's pages fetch their data after loading
            page.wait_for_load_state("networkidle")
        self.items += [f"{where} — {v}" for v in violations(page)]
        shot(page, "axe-" + where.replace(" ", "-"))

    def assert_none(self):
        assert not self.items, "\n".join(self.items)


def _login_pages(browser, stack, found):
    page = browser.new_context(locale="zh-CN").new_page()
    page.goto(stack.web_url + "staff/login")
    found.check(page, "login")
    page.fill("#username", "e2e.admin")
    page.fill("#password", "not-the-password-0000")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("alert")).to_contain_text("用户名或密码不正确")
    found.check(page, "login refused")


def _desk_pages(page, stack, found):
    found.check(page, "home")
    page.goto(stack.web_url + "staff/search")
    page.fill("#q", "租房可以落户吗")
    page.get_by_role("button", name="检索").click()
    expect(page.locator("#results li").first).to_contain_text("第（三）条")
    found.check(page, "search")
    page.goto(stack.web_url + "staff/status")
    page.fill("#application_no", "SG2026119999")
    page.fill("#id_tail", "123456")
    page.get_by_role("button", name="查询").click()
    expect(page.locator("#status-result")).not_to_be_empty()
    found.check(page, "status")
    page.goto(stack.web_url + "staff/queue")
    row = page.locator(f'tr[data-conversation="{HANDOFF_SENDER}"]')
    expect(row).to_be_visible(timeout=WAIT_MS)
    found.check(page, "queue")
    row.get_by_role("link", name="查看对话").click()
    expect(page.locator("#transcript li.user").first).to_be_visible(timeout=WAIT_MS)
    found.check(page, "handoff")
    page.goto(stack.web_url + "staff/report")
    expect(page.locator("#unanswered tr").first).to_be_visible()
    page.locator("#unanswered summary").first.click()
    found.check(page, "report")
    page.goto(stack.web_url + "staff/audit")
    expect(page.locator("#audit tr").first).to_be_visible()
    found.check(page, "audit")


def _hotline_pages(browser, stack, found):
    page = signed_in(browser, stack, "e2e.hotline")
    page.goto(stack.web_url + "staff/audit")  # not a hotline agent's page
    expect(page.get_by_role("heading", name="无法完成请求")).to_be_visible()
    found.check(page, "refused role")
    page.goto(stack.web_url + "staff/answers")
    page.locator('tr[data-faq-id="settle_rent"]').get_by_role("button").click()
    expect(page.locator("#detail-articles")).to_contain_text("合法稳定住所")
    expect(page.get_by_role("button", name="修改这条问答")).to_be_hidden()  # hotline reads only
    found.check(page, "answers hotline")


def test_every_console_page_passes_axe_core(library, browser):
    found = Found()
    _login_pages(browser, library, found)
    _desk_pages(signed_in(browser, library, "e2e.admin"), library, found)
    _hotline_pages(browser, library, found)
    found.assert_none()


def _wrong_sheet(page, stack, tmp_path):
    content = page.request.get(stack.web_url + "staff/api/answers/sheet").body()
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    sheet = workbook["常见问题"]
    headers = [cell.value for cell in sheet[1]]
    row = next(r for r in sheet.iter_rows(min_row=2) if r[headers.index("编号")].value == "settle_rent")
    row[headers.index("引用条款")].value = "三、十九"
    path = tmp_path / "faqs.xlsx"
    workbook.save(path)
    return path


def _library_states(page, stack, found, tmp_path):
    page.goto(stack.web_url + "staff/answers")
    expect(page.locator("#faq-rows tr").first).to_be_visible()
    page.locator("#all-articles summary").click()
    page.locator("#sheet summary").click()
    page.set_input_files("#sheet-file", _wrong_sheet(page, stack, tmp_path))
    page.get_by_role("button", name="上传并提交审核").click()
    expect(page.locator("#sheet-errors")).to_contain_text("十九")
    found.check(page, "answers list")
    page.goto(stack.web_url + "staff/answers")
    page.get_by_role("button", name="新增问答").click()
    expect(page.locator("#check-state")).to_contain_text("检查发现")
    found.check(page, "answers new")
    page.get_by_role("button", name="取消").click()
    page.locator('tr[data-faq-id="settle_rent"]').get_by_role("button").click()
    found.check(page, "answers detail")
    page.get_by_role("button", name="修改这条问答").click()
    page.fill("#e-articles", "三、十九")
    expect(page.locator("#err-articles")).not_to_be_empty()
    found.check(page, "answers editor errors")
    page.fill("#e-articles", "三")
    page.fill("#e-answer", "可以申请（无障碍测试的答案）。请拨打{hotline}咨询。")
    page.get_by_role("button", name="预览").click()
    page.fill("#try-q", "租房可以落户吗")
    page.get_by_role("button", name="试问").click()
    expect(page.locator("#try-result")).to_contain_text("settle_rent")
    found.check(page, "answers preview and try")


def _submit_and_conflict(editor, second, stack, found):
    expect(editor.locator("#check-state")).to_have_text("检查通过，可以提交审核。")
    second.goto(stack.web_url + "staff/answers")  # opens the same version before the first saves
    second.locator('tr[data-faq-id="settle_rent"]').get_by_role("button").click()
    second.get_by_role("button", name="修改这条问答").click()
    editor.get_by_role("button", name="提交审核").click()
    expect(editor.locator("#notice")).to_contain_text("已提交审核")
    found.check(editor, "answers submitted")
    second.fill("#e-answer", SECOND_ANSWER)
    expect(second.locator("#check-state")).to_have_text("检查通过，可以提交审核。")
    second.get_by_role("button", name="提交审核").click()
    expect(second.locator("#conflict")).to_contain_text("对方的版本")
    # Point 8: refused, with both versions side by side, and the second editor's text still in the form.
    answer = second.locator("#conflict tr").filter(has=second.get_by_role("rowheader", name="答案", exact=True))
    expect(answer.locator("td")).to_have_text(["可以申请（无障碍测试的答案）。请拨打{hotline}咨询。", SECOND_ANSWER])
    expect(second.locator("#e-answer")).to_have_value(SECOND_ANSWER)
    found.check(second, "answers conflict")


def _review_states(page, stack, found):
    page.goto(stack.web_url + "staff/reviews")
    expect(page.get_by_role("button", name="批准")).to_be_visible()
    found.check(page, "reviews submitted")
    page.get_by_role("button", name="批准").click()
    expect(page.get_by_role("button", name="发布")).to_be_visible()
    found.check(page, "reviews approved")
    page.get_by_role("button", name="发布").click()
    expect(page.locator("#notice")).to_contain_text("已发布第")
    page.locator("#versions details summary").first.click()
    found.check(page, "reviews history")


def test_every_state_of_the_answers_workbench_passes_axe_core(library, browser, tmp_path):
    found = Found()
    editor = signed_in(browser, library, "e2e.editor")
    _library_states(editor, library, found, tmp_path)
    _submit_and_conflict(editor, signed_in(browser, library, "e2e.editor2"), library, found)
    editor.goto(library.web_url + "staff/reviews")
    expect(editor.get_by_role("button", name="撤回（审核前修改或放弃）")).to_be_visible()
    found.check(editor, "reviews author")
    _review_states(signed_in(browser, library, "e2e.reviewer"), library, found)
    found.assert_none()


def test_the_chat_page_passes_axe_core_in_normal_and_large_text(library, browser):
    found = Found()
    chat = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}).new_page()
    _open(chat, library.web_url)
    chat.fill("#input", "租房可以落户吗")
    chat.press("#input", "Enter")
    expect(chat.locator(".msg.bot").filter(has_text="第（三）条").first).to_be_visible(timeout=WAIT_MS)
    found.check(chat, "chat", settle=False)
    chat.get_by_role("button", name="大字").click()
    expect(chat.get_by_role("button", name="大字")).to_have_attribute("aria-pressed", "true")
    found.check(chat, "chat large", settle=False)
    found.assert_none()
