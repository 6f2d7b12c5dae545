"""Issue 19's whole flow, as two people in headless Chromium against the running stack: an editor
changes an answer and adds a phrasing, meets a live error for a bad citation and fixes it,
previews, tries a question and submits; a reviewer sees the diff, approves and publishes; a
resident on the chat page gets the new answer with its basis; the reviewer rolls back and the
resident gets the old answer again. Screenshots of each step go to var/test-output/.

The stack edits a copy of policy_kb/data (FAQ_SOURCE_DIR) and publishes into its own folder.
"""

import pytest
from playwright.sync_api import expect

from policy_kb.authoring.faq_edit import read_entries
from policy_kb.loader import DATA_DIR
from tests.e2e.staff import OVERDUE_ID, WAIT_MS, answers_stack, shot, signed_in
from tests.e2e.test_webchat import _bot_replies_after, _open

NEW_ANSWER = "可以申请（本句为控制台发布测试新写的答案）。租房要带什么证明，请拨打{hotline}咨询。"
SHOWN_ANSWER = "可以申请（本句为控制台发布测试新写的答案）。"
NEW_PHRASING = "租住的房子能不能落户口"
OWNER = "市教育局"
# Two ways residents asked what the document does not say (not_covered), one group in the report.
UNANSWERED = ("落户要交多少钱", "落户要交钱吗")


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    with answers_stack(tmp_path_factory.mktemp("answers-stack")) as running:
        yield running


def _shot(page, name):
    shot(page, f"answers-{name}")


def _filter_by_owner_and_overdue(page):
    rows = page.locator("#faq-rows tr")
    owned = [e["id"] for e in read_entries(DATA_DIR).values() if e["owner"] == OWNER]
    page.select_option("#f-owner", OWNER)
    expect(rows).to_have_count(len(owned))
    expect(rows.locator("td:nth-child(3)")).to_have_text([OWNER] * len(owned))
    page.select_option("#f-owner", "")
    page.check("#f-overdue")
    expect(rows).to_have_count(1)
    expect(page.locator(f'tr[data-faq-id="{OVERDUE_ID}"]')).to_contain_text("（已过期）")
    page.uncheck("#f-overdue")


def _filter_and_open_by_keyboard(page):
    rows = page.locator("#faq-rows tr")
    expect(rows.first).to_be_visible()
    total = rows.count()
    page.locator("#all-articles summary").click()  # the document, read in place: preamble and 18 articles
    expect(page.locator("#articles-all article")).to_have_count(19)
    expect(page.locator("#articles-all article").last).to_contain_text("第（十八）条")
    page.locator("#all-articles summary").click()
    _filter_by_owner_and_overdue(page)
    expect(rows).to_have_count(total)
    page.fill("#f-text", "租房")
    expect(rows).not_to_have_count(total)
    page.select_option("#f-article", "三")
    expect(page.locator('tr[data-faq-id="settle_rent"]')).to_be_visible()
    page.check("#f-nocite")
    expect(rows).to_have_count(0)
    page.uncheck("#f-nocite")
    page.locator('tr[data-faq-id="settle_rent"]').get_by_role("button").focus()
    page.keyboard.press("Enter")  # keyboard alone opens an entry


def _edit_and_submit(page, stack):
    page.goto(stack.web_url + "staff/answers")
    _filter_and_open_by_keyboard(page)
    expect(page.locator("#detail-articles")).to_contain_text("合法稳定住所")
    _shot(page, "1-library")
    page.get_by_role("button", name="修改这条问答").click()
    page.fill("#e-answer", NEW_ANSWER)
    page.locator("#e-phrasings").press("Control+End")
    page.locator("#e-phrasings").type("\n" + NEW_PHRASING)
    page.fill("#e-articles", "三、十九")
    expect(page.locator("#err-articles")).to_have_text("引用了不存在的条款 “十九”")
    expect(page.get_by_role("button", name="提交审核")).to_be_disabled()
    _shot(page, "2-live-error")
    page.fill("#e-articles", "三")
    expect(page.locator("#check-state")).to_have_text("检查通过，可以提交审核。")
    page.get_by_role("button", name="预览").click()
    expect(page.locator("#preview-web")).to_contain_text(SHOWN_ANSWER)
    expect(page.locator("#preview-web")).to_contain_text("依据：")
    expect(page.locator("#preview-wechat li").first).to_contain_text("回复1：")
    page.fill("#try-q", NEW_PHRASING)
    page.get_by_role("button", name="试问").click()
    expect(page.locator("#try-result")).to_contain_text("settle_rent")
    _shot(page, "3-preview-try")
    page.fill("#e-note", "答案更直接；加一个问法")
    page.get_by_role("button", name="提交审核").click()
    expect(page.locator("#notice")).to_contain_text("已提交审核")


def _approve_and_publish(page, stack):
    page.goto(stack.web_url + "staff/reviews")
    change = page.locator("[data-change-set]").first
    expect(change.locator("td.after")).to_contain_text([NEW_PHRASING, SHOWN_ANSWER])
    expect(change).to_contain_text(NEW_PHRASING)
    _shot(page, "4-review-diff")
    page.get_by_role("button", name="批准").click()
    expect(page.locator("#notice")).to_contain_text("已批准")
    page.get_by_role("button", name="发布").click()
    expect(page.locator("#notice")).to_contain_text("已发布第 2 版", timeout=WAIT_MS)
    _shot(page, "5-published")


def _resident_reply(browser, stack, name):
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    context.set_default_timeout(WAIT_MS)
    page = context.new_page()
    _open(page, stack.web_url)
    before = page.locator(".msg.bot").count()
    page.fill("#input", "租房可以落户吗")
    page.press("#input", "Enter")
    reply = _bot_replies_after(page, before)
    _shot(page, name)
    context.close()
    return reply


def test_editor_reviewer_publish_resident_rollback(library, browser):
    stack = library
    editor = signed_in(browser, stack, "e2e.editor")
    _edit_and_submit(editor, stack)
    reviewer = signed_in(browser, stack, "e2e.reviewer")
    _approve_and_publish(reviewer, stack)

    reply = _resident_reply(browser, stack, "6-resident-new")
    assert SHOWN_ANSWER in reply and "第（三）条" in reply

    reviewer.goto(stack.web_url + "staff/reviews")
    reviewer.locator("[id^=reason-1-]").first.fill("测试回滚")
    reviewer.get_by_role("button", name="回滚到第 1 版").click()
    expect(reviewer.locator("#notice")).to_contain_text("回滚到第 1 版")
    _shot(reviewer, "7-rolled-back")

    reply = _resident_reply(browser, stack, "8-resident-old")
    assert SHOWN_ANSWER not in reply and "第（三）条" in reply


def test_one_click_turns_a_report_group_into_a_draft(library, browser):
    for number, text in enumerate((*UNANSWERED, UNANSWERED[0])):  # the first asked most often
        library.ask(text, sender=f"report-{number}")
    editor = signed_in(browser, library, "e2e.editor")
    editor.goto(library.web_url + "staff/report")
    group = editor.locator("#unanswered tr").filter(has_text=UNANSWERED[0])
    expect(group).to_contain_text(UNANSWERED[1])
    _shot(editor, "9-report")
    group.get_by_role("button", name="在问答库中起草").click()
    expect(editor.locator("#editor-title")).to_have_text("新增问答")
    expect(editor.locator("#e-question")).to_have_value(UNANSWERED[0])
    expect(editor.locator("#e-phrasings")).to_have_value(UNANSWERED[1])
    expect(editor.locator("#e-status")).to_have_value("draft")
    expect(editor.locator("#err-intent")).to_have_text("请填写意图")
    expect(editor.locator("#err-answer")).to_have_text("请填写答案")
    expect(editor.get_by_role("button", name="提交审核")).to_be_disabled()
    _shot(editor, "10-draft-from-report")
    editor.fill("#e-intent", "faq_settle_housing")
    editor.fill("#e-answer", "落户收费，《实施意见》没有规定，请拨打{hotline}咨询。")
    editor.fill("#e-articles", "三")
    expect(editor.locator("#check-state")).to_have_text("检查通过，可以提交审核。")
    editor.get_by_role("button", name="提交审核").click()
    expect(editor.locator("#notice")).to_contain_text("已提交审核")
    editor.goto(library.web_url + "staff/reviews")
    draft = editor.locator("[data-change-set]").filter(has_text="新增问答").first
    expect(draft.locator("td.after")).to_contain_text([UNANSWERED[0], UNANSWERED[1]])
