"""The hotline console in real headless Chromium against the running stack (actions, Rasa with its
token-protected HTTP API, the web process serving /staff/).

A resident asks for a person; a hotline agent created with `make staff-user` signs in, finds the
conversation in the queue, reads what the assistant understood, takes over, replies and hands
back. Checked where it matters: in Rasa's tracker (read through the API) and, for the web chat,
in the resident's own chat window.
"""

import json
import os
import subprocess

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from console.store import AuditEntry, session_scope
from service_desk.store import Handoff
from tests.conftest import REPO
from tests.e2e.chromium import PHONE
from tests.stack import running_stack

STAFF, ROLE = "e2e.hotline", "hotline"
PASSWORD = "e2e-console-password-42"
REPLY = "您好，我是12345工作人员"
WAIT_MS = 60_000


@pytest.fixture(scope="module")
def console_stack(tmp_path_factory):
    with running_stack(tmp_path_factory.mktemp("console-stack")) as stack:
        # The operator's way in, into the stack's own console DB.
        created = subprocess.run(
            [
                "make",
                "--no-print-directory",
                "-o",
                ".venv/.installed",
                "staff-user",
                f"USERNAME={STAFF}",
                f"ROLE={ROLE}",
            ],
            cwd=REPO,
            env={**os.environ, "CONSOLE_DB_URL": stack.console_db_url, "STAFF_PASSWORD": PASSWORD},
            capture_output=True,
            text=True,
            timeout=120,
            stdin=subprocess.DEVNULL,
        )
        assert created.returncode == 0, created.stdout + created.stderr
        yield stack


@pytest.fixture
def staff(browser, console_stack):
    """A signed-in hotline agent's browser tab."""
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(WAIT_MS)
    page = context.new_page()
    page.goto(console_stack.web_url + "staff/queue")
    expect(page).to_have_url(console_stack.web_url + "staff/login")
    page.fill("#username", STAFF)
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(console_stack.web_url + "staff/")
    yield page
    context.close()


def _open_from_queue(page, stack, conversation_id, channel_label):
    page.goto(stack.web_url + "staff/queue")
    row = page.locator(f'tr[data-conversation="{conversation_id}"]')
    expect(row).to_contain_text("居民要求转人工", timeout=WAIT_MS)
    expect(row).to_contain_text(channel_label)
    row.get_by_role("link", name="查看对话").click()
    expect(page.locator("#transcript li.user").first).to_be_visible(timeout=WAIT_MS)


def _take_reply_hand_back(page):
    page.get_by_role("button", name="接管对话（暂停助手）").click()
    expect(page.locator("#reply-form")).to_be_visible(timeout=WAIT_MS)
    page.fill("#reply", REPLY)
    page.get_by_role("button", name="发送").click()
    # Sent through Rasa and the action server, then read back from the tracker.
    expect(page.locator("#transcript li.staff")).to_contain_text(f"【工作人员】{REPLY}", timeout=WAIT_MS)
    expect(page.locator("#error")).to_be_hidden()
    page.get_by_role("button", name="交还助手").click()
    expect(page.locator("#handoff-info")).to_contain_text("已交还助手", timeout=WAIT_MS)


def test_take_over_a_rest_conversation_reply_and_hand_back(console_stack, staff):
    stack, sender = console_stack, "console-e2e"
    stack.ask("租房可以落户吗", sender=sender)
    stack.ask("转人工", sender=sender)
    assert stack.tracker(sender)["paused"], "转人工 should pause the assistant"

    _open_from_queue(staff, stack, sender, "REST 接口")
    asked = staff.locator("#transcript li.user").filter(has_text="转人工").last
    expect(asked).to_contain_text("识别为 request_human（置信度", timeout=WAIT_MS)
    expect(staff.locator("#transcript li.bot").filter(has_text="第（三）条").first).to_be_visible(timeout=WAIT_MS)
    _take_reply_hand_back(staff)

    tracker = stack.tracker(sender)
    events = tracker["events"]
    replied = [i for i, e in enumerate(events) if e["event"] == "bot" and REPLY in (e.get("text") or "")]
    resumed = [i for i, e in enumerate(events) if e["event"] == "resume"]
    assert replied and resumed and resumed[-1] > replied[-1], [e["event"] for e in events]
    assert not tracker["paused"]
    text, _ = stack.ask("居住证可以享受哪些服务", sender=sender)
    assert "第（八）条" in text, "the assistant answers again after the hand-back"

    with session_scope(stack.console_db_url) as session:
        statuses = session.execute(select(Handoff.status).where(Handoff.conversation_id == sender)).scalars().all()
        audited = (
            session.execute(
                select(AuditEntry.action)
                .where(AuditEntry.username == STAFF, AuditEntry.target == sender)
                .order_by(AuditEntry.id)
            )
            .scalars()
            .all()
        )
    assert statuses == ["closed"]
    assert audited == ["take_over", "reply", "hand_back"]


def test_a_web_chat_resident_sees_the_staff_reply_in_their_window(console_stack, staff, browser):
    stack = console_stack
    context = browser.new_context(locale="zh-CN", **PHONE)
    context.set_default_timeout(WAIT_MS)
    resident = context.new_page()
    try:
        resident.goto(stack.web_url)
        expect(resident.locator(".msg.bot .chip").first).to_be_visible(timeout=WAIT_MS)
        before = resident.locator(".msg.bot").count()
        resident.fill("#input", "转人工")
        resident.press("#input", "Enter")
        expect(resident.locator(".msg.bot").nth(before)).to_be_visible(timeout=WAIT_MS)
        session_id = json.loads(resident.evaluate("sessionStorage.getItem('sg-hukou.session')"))

        _open_from_queue(staff, stack, session_id, "网页聊天")
        _take_reply_hand_back(staff)

        expect(resident.locator(".msg.bot").filter(has_text=f"【工作人员】{REPLY}")).to_have_count(1, timeout=WAIT_MS)
        expect(resident.locator(".msg.bot").last).to_contain_text("人工服务已结束", timeout=WAIT_MS)
    finally:
        context.close()
