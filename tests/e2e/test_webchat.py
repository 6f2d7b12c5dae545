"""The resident chat page in real headless Chromium at a phone's size, against the running stack.

Replies arriving over socketio with session_persistence on is the point: with python-socketio >= 5.10,
Rasa 3.6's own handler silently drops them (RasaHQ/rasa#13027). Debian's chromium is driven directly (make chromium);
Playwright never downloads a browser.
"""

import time
from urllib.parse import urlsplit

import pytest
import requests
from playwright.sync_api import expect

from tests.conftest import REPO
from tests.e2e.chromium import PHONE
from tests.stack import running_stack

OUTPUT = REPO / "var" / "test-output"
REPLY_MS = 60_000
MIN_TAP_PX = 44
# Replies can come back within a frame: record whether the typing indicator was ever shown.
TYPING_WATCH = """() => {
  const typing = document.getElementById("typing");
  window.typingShown = false;
  new MutationObserver(() => { window.typingShown ||= !typing.hidden; }).observe(typing, {attributes: true});
}"""


@pytest.fixture(scope="module")
def web_stack(tmp_path_factory):
    """Its own stack: tests/e2e/test_rest.py stops the shared one in its last test."""
    with running_stack(tmp_path_factory.mktemp("webchat-stack")) as running:
        page = requests.get(running.web_url, timeout=10)
        assert page.status_code == 200, "聊天网页未构建？请先 make webchat"
        yield running


@pytest.fixture
def phone(browser):
    context = browser.new_context(locale="zh-CN", **PHONE)
    context.set_default_timeout(REPLY_MS)
    yield context.new_page()
    context.close()


def _open(page, url):
    """Open the chat and wait for the welcome menu, i.e. for a confirmed, answering session."""
    page.goto(url)
    expect(page.locator(".msg.bot .chip").first).to_be_visible()


def _bot_replies_after(page, count):
    """Wait until the bot has said more than `count` messages; return the new ones' text."""
    bot = page.locator(".msg.bot")
    deadline = time.monotonic() + REPLY_MS / 1000
    while bot.count() <= count:
        assert time.monotonic() < deadline, "等待回复超时"
        page.wait_for_timeout(200)
    expect(page.locator("#typing")).to_be_hidden()
    return "\n".join(bot.all_inner_texts()[count:])


def test_ask_tap_a_button_and_keep_the_conversation_across_a_reload(web_stack, phone):
    hosts, csp_errors = set(), []
    phone.on("request", lambda request: hosts.add(urlsplit(request.url).hostname))
    phone.on("console", lambda msg: csp_errors.append(msg.text) if "Content Security Policy" in msg.text else None)
    _open(phone, web_stack.web_url)

    phone.evaluate(TYPING_WATCH)
    before = phone.locator(".msg.bot").count()
    phone.fill("#input", "租房可以落户吗")
    phone.press("#input", "Enter")
    assert "第（三）条" in _bot_replies_after(phone, before)
    assert phone.evaluate("window.typingShown"), "等待回复时没有显示“正在回答”"

    chip = phone.locator(".msg.bot").last.locator(".chip").first
    title, before = chip.inner_text(), phone.locator(".msg.bot").count()
    chip.tap()
    expect(phone.locator(".msg.user").last).to_have_text(title)
    assert "依据：《韶关市人民政府关于进一步推进户籍制度改革的实施意见》" in _bot_replies_after(phone, before)

    messages = phone.locator("#log > li")
    transcript = messages.all_inner_texts()
    session = phone.evaluate("sessionStorage.getItem('sg-hukou.session')")
    phone.reload()
    expect(messages).to_have_count(len(transcript))
    assert messages.all_inner_texts() == transcript
    assert phone.evaluate("sessionStorage.getItem('sg-hukou.session')") == session

    # Still the same live conversation after the reload: the new socket joined the session's room.
    before = phone.locator(".msg.bot").count()
    phone.fill("#input", "居住证可以享受哪些服务")
    phone.locator("#send").tap()
    assert "第（八）条" in _bot_replies_after(phone, before)

    OUTPUT.mkdir(parents=True, exist_ok=True)
    phone.screenshot(path=str(OUTPUT / "webchat.png"))
    assert hosts == {"localhost"}, f"页面请求了外部主机：{hosts}"
    assert not csp_errors, csp_errors


def test_large_text_is_remembered_and_every_control_is_big_enough_to_tap(web_stack, phone):
    _open(phone, web_stack.web_url)
    normal = phone.locator(".msg.bot").first.evaluate("el => parseFloat(getComputedStyle(el).fontSize)")
    phone.locator("#text-size").tap()
    phone.reload()
    expect(phone.locator("#text-size")).to_have_attribute("aria-pressed", "true")
    large = phone.locator(".msg.bot").first.evaluate("el => parseFloat(getComputedStyle(el).fontSize)")
    assert normal >= 18 and large > normal

    controls = phone.locator("#text-size, #input, #send, .msg.bot .chip")
    for box in (controls.nth(i).bounding_box() for i in range(controls.count())):
        assert box["height"] >= MIN_TAP_PX and box["width"] >= MIN_TAP_PX, box
    OUTPUT.mkdir(parents=True, exist_ok=True)
    phone.screenshot(path=str(OUTPUT / "webchat-large.png"))
