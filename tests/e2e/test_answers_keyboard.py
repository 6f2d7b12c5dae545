"""Issue 19, point 9: the answers workbench with the keyboard alone, in headless Debian chromium.

An editor signs in, finds an entry, opens it, edits it (meeting a live error and fixing it),
previews, tries a question and submits; a reviewer signs in, approves, publishes and rolls back. Nothing is
clicked: only Tab, Shift+Tab, Enter, Space and typing. At every Tab stop the focused control must
show a visible focus ring (console.css :focus-visible), and when the control just used goes away
(a submitted form, a re-drawn change set) the focus lands on the message saying what happened.
A resident does the same on the chat page: asks, follows an answer's button, switches to 大字.
"""

import pytest
from playwright.sync_api import expect

from tests.e2e.staff import (
    PASSWORD,
    WAIT_MS,
    answers_stack,
    assert_focus_visible,
    named,
    shot,
    tab_to,
    with_id,
)
from tests.e2e.test_webchat import _bot_replies_after, _open

FAQ_ID, QUESTION = "settle_own_home", "在韶关买了房子，可以落户吗？"
NEW_ANSWER = "可以申请（本句为键盘测试新写的答案）。要带哪些房屋证明，请拨打{hotline}咨询。"
SHOWN_ANSWER = "可以申请（本句为键盘测试新写的答案）。"
# Word for word a training example of the intent ask_not_covered (data/nlu/edges.yml).
INTENT_EXAMPLE = "新生儿点样报户口"
NEW_PHRASING = "在韶关买了二手房能落户吗"


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    with answers_stack(tmp_path_factory.mktemp("keyboard-stack")) as running:
        yield running


def _page(browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(WAIT_MS)
    return context.new_page()


def _sign_in(page, stack, username):
    page.goto(stack.web_url + "staff/login")
    expect(page.locator("#username")).to_be_focused()  # autofocus
    assert_focus_visible(page)
    page.keyboard.type(username)
    tab_to(page, with_id("password"))
    page.keyboard.type(PASSWORD)
    tab_to(page, named("登录"))
    page.keyboard.press("Enter")
    expect(page).to_have_url(stack.web_url + "staff/")


def _open_entry(page):
    tab_to(page, named("问答库"))
    page.keyboard.press("Enter")
    expect(page.locator(f'tr[data-faq-id="{FAQ_ID}"]')).to_be_visible()
    tab_to(page, with_id("f-text"))
    page.keyboard.type("买了房子")
    expect(page.locator("#faq-rows tr")).to_have_count(1)
    tab_to(page, named(f"查看：{QUESTION}"))
    page.keyboard.press("Enter")
    expect(page.locator("#detail-title")).to_be_focused()
    tab_to(page, named("修改这条问答"))
    page.keyboard.press("Space")
    expect(page.locator("#e-question")).to_be_focused()


def _edit(page):
    tab_to(page, with_id("e-phrasings"))
    page.keyboard.press("Control+End")
    page.keyboard.press("Enter")
    page.keyboard.type(INTENT_EXAMPLE)
    expect(page.locator("#err-phrasings")).to_contain_text(f"与意图 ask_not_covered 的训练例句“{INTENT_EXAMPLE}”相同")
    expect(page.locator("#submit-faq")).to_be_disabled()
    shot(page, "keyboard-1-live-error")
    page.keyboard.press("Shift+Home")
    page.keyboard.type(NEW_PHRASING)  # typed over the selected line
    tab_to(page, with_id("e-answer"))
    page.keyboard.press("Control+A")
    page.keyboard.type(NEW_ANSWER)
    tab_to(page, with_id("e-note"))
    page.keyboard.type("键盘测试：答案更直接，加一个问法")
    expect(page.locator("#check-state")).to_have_text("检查通过，可以提交审核。")
    expect(page.locator("#err-phrasings")).to_be_empty()


def _preview_try_and_submit(page):
    tab_to(page, named("预览"))
    page.keyboard.press("Enter")
    expect(page.locator("#preview-web")).to_contain_text(SHOWN_ANSWER)
    tab_to(page, with_id("try-q"))
    page.keyboard.type(NEW_PHRASING)
    page.keyboard.press("Enter")
    expect(page.locator("#try-result")).to_contain_text(FAQ_ID)
    shot(page, "keyboard-2-preview-try")
    tab_to(page, named("提交审核"), backwards=True)
    page.keyboard.press("Space")
    expect(page.locator("#notice")).to_contain_text("已提交审核")
    expect(page.locator("#notice")).to_be_focused()


def _approve_and_publish(page):
    tab_to(page, named("审核与发布"))
    page.keyboard.press("Enter")
    change = page.locator("[data-change-set]").first
    expect(change.locator("td.after")).to_contain_text([NEW_PHRASING, SHOWN_ANSWER])
    tab_to(page, named("批准"))
    shot(page, "keyboard-3-review")
    page.keyboard.press("Enter")
    expect(page.locator("#notice")).to_contain_text("已批准")
    expect(page.locator("#notice")).to_be_focused()
    tab_to(page, named("发布"))
    page.keyboard.press("Enter")
    expect(page.locator("#notice")).to_contain_text("已发布第", timeout=WAIT_MS)
    expect(page.locator("#notice")).to_be_focused()
    shot(page, "keyboard-4-published")


def _roll_back(page):
    tab_to(page, lambda now: now["id"].startswith("reason-1-"))  # 回滚原因, in version 1's row
    page.keyboard.type("键盘测试：回滚")
    tab_to(page, named("回滚到第 1 版"))
    page.keyboard.press("Enter")
    expect(page.locator("#notice")).to_contain_text("回滚到第 1 版")
    expect(page.locator("#notice")).to_be_focused()


def test_edit_submit_approve_and_publish_with_the_keyboard_alone(library, browser):
    editor = _page(browser)
    _sign_in(editor, library, "e2e.editor")
    _open_entry(editor)
    _edit(editor)
    _preview_try_and_submit(editor)

    reviewer = _page(browser)
    _sign_in(reviewer, library, "e2e.reviewer")
    _approve_and_publish(reviewer)

    text, _ = library.ask(QUESTION, sender="keyboard-resident")
    assert SHOWN_ANSWER in text and "第（三）条" in text

    _roll_back(reviewer)
    text, _ = library.ask(QUESTION, sender="keyboard-resident-2")
    assert SHOWN_ANSWER not in text and "第（三）条" in text


def test_the_skip_link_is_the_first_stop_and_leads_to_the_page(library, browser):
    page = _page(browser)
    _sign_in(page, library, "e2e.editor")
    page.keyboard.press("Tab")
    assert_focus_visible(page)
    expect(page.get_by_role("link", name="跳到主要内容")).to_be_focused()
    expect(page.get_by_role("link", name="跳到主要内容")).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    page.keyboard.press("Tab")  # past the header and its navigation, into the page itself
    assert_focus_visible(page)
    assert page.evaluate("document.activeElement.closest('main') !== null")


def test_a_resident_uses_the_chat_page_with_the_keyboard_alone(library, browser):
    page = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}).new_page()
    _open(page, library.web_url)
    tab_to(page, with_id("input"))
    before = page.locator(".msg.bot").count()
    page.keyboard.type("租房可以落户吗")
    page.keyboard.press("Enter")
    assert "第（三）条" in _bot_replies_after(page, before)
    chip = page.locator(".msg.bot").last.locator(".chip").first
    title, before = chip.inner_text(), page.locator(".msg.bot").count()
    chip_stop = tab_to(page, named(title), backwards=True)  # the answer's buttons sit above the input
    assert chip_stop["tag"] == "BUTTON"
    page.keyboard.press("Enter")
    expect(page.locator(".msg.user").last).to_have_text(title)
    assert "依据：" in _bot_replies_after(page, before)
    tab_to(page, named("大字"), backwards=True)
    page.keyboard.press("Space")
    expect(page.locator("#text-size")).to_have_attribute("aria-pressed", "true")
    shot(page, "keyboard-5-chat")
