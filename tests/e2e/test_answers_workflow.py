"""Issue 19's whole flow, as two people in headless Chromium against the running stack: an editor
changes an answer and adds a phrasing, meets a live error for a bad citation and fixes it,
previews, tries a question and submits; a reviewer sees the diff, approves and publishes; a
resident on the chat page gets the new answer with its basis; the reviewer rolls back and the
resident gets the old answer again. Screenshots of each step go to var/test-output/.

The stack edits a copy of policy_kb/data (FAQ_SOURCE_DIR) and publishes into its own folder.
"""

import os
import shutil
import subprocess
import sys

import pytest
from playwright.sync_api import expect

from policy_kb.loader import DATA_DIR
from tests.conftest import REPO
from tests.e2e.axe import violations
from tests.e2e.test_webchat import _bot_replies_after, _open
from tests.stack import running_stack

OUTPUT = REPO / "var" / "test-output"
PASSWORD = "e2e-answers-password-42"
NEW_ANSWER = "可以申请（本句为控制台发布测试新写的答案）。租房要带什么证明，请拨打{hotline}咨询。"
SHOWN_ANSWER = "可以申请（本句为控制台发布测试新写的答案）。"
NEW_PHRASING = "租住的房子能不能落户口"
WAIT_MS = 60_000


@pytest.fixture(scope="module")
def answers_stack(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("answers-stack")
    shutil.copytree(DATA_DIR, tmp / "data")
    with running_stack(tmp, env={"FAQ_SOURCE_DIR": str(tmp / "data")}) as stack:
        for username, role in (("e2e.editor", "comms"), ("e2e.reviewer", "reviewer"), ("e2e.admin", "admin")):
            created = subprocess.run(
                [sys.executable, "-m", "console.staff_user", "--username", username, "--role", role],
                cwd=REPO,
                capture_output=True,
                text=True,
                timeout=60,
                stdin=subprocess.DEVNULL,
                env={**os.environ, "CONSOLE_DB_URL": stack.console_db_url, "STAFF_PASSWORD": PASSWORD},
            )
            assert created.returncode == 0, created.stdout + created.stderr
        yield stack


def _signed_in(browser, stack, username):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(WAIT_MS)
    page = context.new_page()
    page.goto(stack.web_url + "staff/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(stack.web_url + "staff/")
    return page


def _shot(page, name):
    OUTPUT.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(OUTPUT / f"answers-{name}.png"), full_page=True)


def _filter_and_open_by_keyboard(page):
    rows = page.locator("#faq-rows tr")
    expect(rows.first).to_be_visible()
    total = rows.count()
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


def test_editor_reviewer_publish_resident_rollback(answers_stack, browser):
    editor = _signed_in(browser, answers_stack, "e2e.editor")
    _edit_and_submit(editor, answers_stack)
    reviewer = _signed_in(browser, answers_stack, "e2e.reviewer")
    _approve_and_publish(reviewer, answers_stack)

    reply = _resident_reply(browser, answers_stack, "6-resident-new")
    assert SHOWN_ANSWER in reply and "第（三）条" in reply

    reviewer.goto(answers_stack.web_url + "staff/reviews")
    reviewer.locator("[id^=reason-1-]").first.fill("测试回滚")
    reviewer.get_by_role("button", name="回滚到第 1 版").click()
    expect(reviewer.locator("#notice")).to_contain_text("回滚到第 1 版")
    _shot(reviewer, "7-rolled-back")

    reply = _resident_reply(browser, answers_stack, "8-resident-old")
    assert SHOWN_ANSWER not in reply and "第（三）条" in reply


CONSOLE_PAGES = ("", "search", "status", "queue", "handoff/1", "report", "audit", "answers", "reviews")


def _no_violations(page, where, found):
    found += [f"{where} — {v}" for v in violations(page)]


def test_console_and_chat_pages_pass_axe_core(answers_stack, browser):
    found = []
    page = browser.new_context(locale="zh-CN").new_page()
    page.goto(answers_stack.web_url + "staff/login")
    _no_violations(page, "login", found)
    page = _signed_in(browser, answers_stack, "e2e.admin")
    for name in CONSOLE_PAGES:
        page.goto(answers_stack.web_url + "staff/" + name)
        page.wait_for_load_state("networkidle")
        _no_violations(page, name or "home", found)
    page.goto(answers_stack.web_url + "staff/answers")
    page.locator('tr[data-faq-id="settle_rent"]').get_by_role("button").click()
    _no_violations(page, "answers detail", found)
    page.get_by_role("button", name="修改这条问答").click()
    page.fill("#e-articles", "十九")
    expect(page.locator("#err-articles")).not_to_be_empty()
    page.get_by_role("button", name="预览").click()
    _no_violations(page, "answers editor", found)
    chat = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}).new_page()
    _open(chat, answers_stack.web_url)
    _no_violations(chat, "chat", found)
    chat.get_by_role("button", name="大字").click()
    _no_violations(chat, "chat 大字", found)
    assert not found, "\n".join(found)
