"""What the staff console's browser tests share: a running stack whose answers library edits and
publishes a private copy of policy_kb/data, staff accounts made with console.staff_user, signing
in, screenshots, and the keyboard helpers (Tab until a control has the focus, and check that the
focus can be seen there)."""

import os
import shutil
import subprocess
import sys
from contextlib import contextmanager

from playwright.sync_api import expect

from policy_kb.authoring.publish import ensure_published
from policy_kb.loader import DATA_DIR
from tests.conftest import REPO
from tests.stack import running_stack

OUTPUT = REPO / "var" / "test-output"
PASSWORD = "e2e-answers-password-42"
WAIT_MS = 60_000
ACCOUNTS = (("e2e.editor", "comms"), ("e2e.editor2", "comms"), ("e2e.reviewer", "reviewer"), ("e2e.admin", "admin"))
ACCOUNTS += (("e2e.hotline", "hotline"),)
# fiscal_support (市财政局's only entry) is a draft whose review date has passed, so that the
# library's 复核日期已过 filter has something to find without holding back any publish.
OVERDUE_ID, OVERDUE_DATE = "fiscal_support", "2025-06-30"

# The focused element's outline, as the browser draws it (console.css :focus-visible).
FOCUS = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  return { tag: el.tagName, id: el.id, text: (el.innerText || el.value || "").trim().slice(0, 40),
           label: el.getAttribute("aria-label") || "", style: style.outlineStyle,
           width: parseFloat(style.outlineWidth) };
}"""


def _with_an_overdue_draft(data):
    services = data / "faqs" / "services.yml"
    text = services.read_text(encoding="utf-8")
    start = text.index(f"  - id: {OVERDUE_ID}\n")
    end = text.find("\n  - id: ", start + 1)
    end = len(text) if end < 0 else end
    block = text[start:end].replace("status: published", "status: draft").replace("2027-06-30", OVERDUE_DATE)
    services.write_text(text[:start] + block + text[end:], encoding="utf-8")


def _create_accounts(stack):
    for username, role in ACCOUNTS:
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


@contextmanager
def answers_stack(tmp):
    """The stack, serving version 1 of a private copy of the data (with the overdue draft), with
    the accounts in ACCOUNTS; FAQ_SOURCE_DIR is the copy, so browser publishing writes back there."""
    shutil.copytree(DATA_DIR, tmp / "data")
    _with_an_overdue_draft(tmp / "data")
    ensure_published(tmp / "data", tmp / "kb")  # the stack's KB_PUBLISH_DIR: make run's ensure finds it
    env = {"FAQ_SOURCE_DIR": str(tmp / "data"), "STATUS_DB_URL": f"sqlite:///{tmp / 'status.db'}"}
    with running_stack(tmp, env=env) as stack:
        assert stack.kb_publish_dir == tmp / "kb"
        _create_accounts(stack)
        yield stack


def signed_in(browser, stack, username):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(WAIT_MS)
    page = context.new_page()
    page.goto(stack.web_url + "staff/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(stack.web_url + "staff/")
    return page


def shot(page, name):
    OUTPUT.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(OUTPUT / f"{name}.png"), full_page=True)


def focused(page):
    """What has the focus, and how its outline is drawn."""
    return page.evaluate(FOCUS)


def assert_focus_visible(page):
    """The focused control is marked for a keyboard user: a solid outline of at least 2 px."""
    now = focused(page)
    assert now["tag"] != "BODY", "焦点丢失（回到了页面开头）"
    assert now["style"] not in ("none", "hidden") and now["width"] >= 2, now


def tab_to(page, matches, limit=80, backwards=False):
    """Press Tab (Shift+Tab) until ``matches(focused)`` holds, checking at every stop that the focus
    is visible; fails when ``limit`` presses never get there. After a navigation (Enter on a link or a
    form) the URL changes before the new page's stylesheet applies: wait for the page's load first, or
    the first stop is measured with the browser's default ring."""
    page.wait_for_load_state("load")
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        assert_focus_visible(page)
        now = focused(page)
        if matches(now):
            return now
    raise AssertionError(f"用 Tab 键 {limit} 次也没有到达目标控件（最后在 {focused(page)}）")


def named(text):
    """A matcher for tab_to: the focused control's text or accessible label starts with ``text``."""
    return lambda now: now["text"].startswith(text) or now["label"].startswith(text)


def with_id(element_id):
    return lambda now: now["id"] == element_id
