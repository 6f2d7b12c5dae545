"""Application status over REST, from an export imported with make import-applications.

Its own stack, status store and tracker in one temporary folder; the last test stops the stack
and searches every file written there (tracker, status store, the captured log) for the ID digits
of every record used.
"""

import json
import os
import re
import sqlite3
import subprocess
from pathlib import Path

import pytest

from policy_kb import answers
from tests.conftest import REPO
from tests.stack import MODEL, running_stack
from tests.status_store.helpers import read_csv

EXPORT = REPO / "tests" / "status_store" / "fixtures" / "applications.csv"
RECORDS = read_csv(EXPORT)
SECRET = "e2e-status-secret-not-for-production-0123456789"
FULL_WIDTH = str.maketrans("0123456789SGX ", "０１２３４５６７８９ＳＧＸ\u3000")

# One formatting per record, as residents type them: number and tail in one message or in two.
ONE_MESSAGE = {
    0: "{number} {tail}",
    2: "{fullwidth}",
    4: "后六位{tail_lower}，编号{number_lower}",
    6: "身份证号码{id_number}，受理编号 {number_hyphens}",
}
TWO_MESSAGES = {
    1: ("{number_lower}", "{tail_lower}"),
    3: ("{number_spaced}", "{tail_spaced}"),
    5: ("受理编号是{number_hyphens}", "身份证后六位是{tail}"),
    7: ("{number}", "{tail_hyphen}"),
}


def typed(template, record):
    number, tail = record["application_no"], record["id_number"][-6:]
    return template.format(
        number=number,
        number_lower=number.lower(),
        number_spaced=f"{number[:2]} {number[2:6]} {number[6:]}",
        number_hyphens=f"{number[:2]}-{number[2:6]}-{number[6:]}",
        tail=tail,
        tail_lower=tail.lower(),
        tail_spaced=f"{tail[:2]} {tail[2:4]} {tail[4:]}",
        tail_hyphen=f"{tail[:3]}-{tail[3:]}",
        fullwidth=f"{number} {tail}".translate(FULL_WIDTH),
        id_number=record["id_number"],
    )


@pytest.fixture(scope="module")
def status_stack(tmp_path_factory):
    if not os.path.exists(MODEL):
        pytest.fail(f"模型不存在：{MODEL}（请先 make train）")
    folder = tmp_path_factory.mktemp("status-stack")
    env = {"STATUS_DB_URL": f"sqlite:///{folder / 'status.db'}", "STATUS_HMAC_SECRET": SECRET}
    # The operator's way in; -o: use the virtualenv as it is, never reinstall from a test.
    imported = subprocess.run(
        ["make", "--no-print-directory", "-o", ".venv/.installed", "import-applications", f"FILE={EXPORT}"],
        cwd=REPO,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert imported.returncode == 0, imported.stdout + imported.stderr
    assert f"新增 {len(RECORDS)} 条" in imported.stdout + imported.stderr
    with running_stack(folder, env=env) as running:
        yield running, folder


def masked(name):
    return name[0] + "*" * (len(name) - 1)


def assert_status(text, record):
    assert f"受理编号 {record['application_no']}" in text, text
    assert f"当前状态：{record['status']}" in text and f"办理窗口：{record['office']}" in text
    assert f"申请人：{masked(record['applicant_name'])}" in text and record["applicant_name"] not in text
    assert (f"说明：{record['note']}" in text) == bool(record["note"])
    assert "12345" in text


def test_every_record_is_found_over_rest(status_stack, kb):
    stack, _ = status_stack
    for index, record in enumerate(RECORDS):
        sender = f"status-{index}"
        text, _ = stack.ask("我的申请办到哪一步了", sender=sender)
        assert text == answers.message(kb, "status_ask_number").text
        if index in ONE_MESSAGE:
            text, _ = stack.ask(typed(ONE_MESSAGE[index], record), sender=sender)
        else:
            first, second = TWO_MESSAGES[index]
            text, _ = stack.ask(typed(first, record), sender=sender)
            assert text == answers.message(kb, "status_ask_id_tail").text
            text, _ = stack.ask(typed(second, record), sender=sender)
        assert_status(text, record)


def test_everything_in_the_first_message(status_stack):
    stack, _ = status_stack
    record = RECORDS[2]
    text, _ = stack.ask(
        f"帮我查下{record['application_no']}到咩阶段，身份证尾号{record['id_number'][-6:]}", sender="s-one"
    )
    assert_status(text, record)


def test_wrong_digits_and_unknown_number_get_the_same_neutral_reply(status_stack, kb):
    stack, _ = status_stack
    neutral = answers.message(kb, "status_not_found").text
    stack.ask("查进度", sender="s-wrong")
    wrong, replies = stack.ask(f"{RECORDS[0]['application_no']} {RECORDS[1]['id_number'][-6:]}", sender="s-wrong")
    stack.ask("查进度", sender="s-unknown")
    unknown, _ = stack.ask(f"SG2099000001 {RECORDS[0]['id_number'][-6:]}", sender="s-unknown")
    assert wrong == unknown == neutral
    assert replies[0]["buttons"][0]["payload"] == "/check_status"


def test_stop_in_the_middle_then_policy_answers_again(status_stack, kb):
    stack, _ = status_stack
    stack.ask("查下我的落户进度", sender="s-stop")
    stack.ask(RECORDS[0]["application_no"], sender="s-stop")
    text, _ = stack.ask("算了", sender="s-stop")
    assert text == answers.message(kb, "status_stopped").text
    text, _ = stack.ask("租房可以落户吗", sender="s-stop")
    assert "第（三）条" in text


def test_a_dozen_wrong_tails_from_a_dozen_conversations_then_the_right_one_reveals_nothing(status_stack, kb):
    stack, _ = status_stack
    record, other = RECORDS[7], RECORDS[6]
    refusals = {answers.message(kb, "status_not_found").text, answers.message(kb, "status_locked").text}
    for n in range(12):  # a new conversation for every guess, as a script rotating its REST sender would
        text, _ = stack.ask(
            f"帮我查下{record['application_no']}到咩阶段，身份证尾号{200000 + n}", sender=f"s-guess-{n}"
        )
        assert text in refusals, text
    text, _ = stack.ask(
        f"帮我查下{record['application_no']}到咩阶段，身份证尾号{record['id_number'][-6:]}", sender="s-guess-right"
    )
    assert text == answers.message(kb, "status_locked").text and "12345" in text
    assert record["status"] not in text and masked(record["applicant_name"]) not in text
    # The number rests, not the service: another application is answered to the same client.
    text, _ = stack.ask(
        f"帮我查下{other['application_no']}到咩阶段，身份证尾号{other['id_number'][-6:]}", sender="s-other"
    )
    assert_status(text, other)
    # The operators are alerted, and the alert names the number only by a keyed hash.
    alerts = [
        line for line in Path(stack.log.name).read_text(encoding="utf-8").splitlines() if "告警：受理编号" in line
    ]
    assert len(alerts) == 1 and record["application_no"][-6:] not in alerts[0], alerts


# A six-digit tail may turn up by chance inside longer numbers (timestamps, their fractions after
# the "."), so it counts only standing alone; the full ID and full-width forms are searched as is.
def _tail_pattern(tail):
    return re.compile(rf"(?<![0-9.]){tail[:5]}[{tail[5]}{tail[5].lower()}](?![0-9])".encode())


def _tracker_texts(path):
    """The tracker's events as stored, decoded (Rasa escapes Chinese as \\uXXXX in the JSON)."""
    with sqlite3.connect(path) as db:
        rows = db.execute("SELECT data FROM events").fetchall()
    return "\n".join(json.dumps(json.loads(data), ensure_ascii=False) for (data,) in rows).encode()


def test_no_id_digits_in_any_file_the_assistant_wrote(status_stack):
    stack, folder = status_stack
    assert stack.stop() == 0
    files = {path.name: path.read_bytes() for path in sorted(folder.iterdir()) if path.is_file()}
    assert {"tracker.db", "status.db", "stack.log"} <= set(files), sorted(files)
    files["tracker events"] = _tracker_texts(folder / "tracker.db")
    assert "[已隐去]".encode() in files["tracker events"] and b"SG2026110001" in files["tracker events"]
    for record in RECORDS:
        id_number, tail = record["id_number"], record["id_number"][-6:]
        for name, data in files.items():
            for found in (id_number, id_number.lower(), id_number.translate(FULL_WIDTH), tail.translate(FULL_WIDTH)):
                assert found.encode() not in data, f"{record['application_no']}: ID digits in {name}"
            assert not _tail_pattern(tail).search(data), f"{record['application_no']}: ID tail in {name}"
