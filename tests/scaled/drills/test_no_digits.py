"""(g) Actions that raise while ID digits are in the conversation: no digits in any log of any
process, nor in the conversation database. The channel guard replaced them before Rasa saw them;
the injected error deliberately puts the resident's message and slots into its text."""

import json
import re

from policy_kb import answers

ID_NUMBER, TAIL, PHONE = "440299198503121017", "121017", "13800138000"
OTHER_ID = "440299199001011023"


def _tail_pattern(tail):
    # Alone, not inside a longer number (timestamps, ports, their fractions).
    return re.compile(rf"(?<![0-9.]){tail}(?![0-9])".encode())


def test_failing_actions_leak_no_digits(drill, kb):
    busy = answers.message(kb, "service_unavailable").text
    drill.fail_action("action_check_status")
    assert "受理编号" in drill.ask("digits-1", "我的申请办到哪一步了").text
    drill.ask("digits-1", "SG2026110001")
    answer = drill.ask("digits-1", f"身份证{ID_NUMBER}，手机{PHONE}")
    assert answer.text == busy, answer.text

    drill.fail_action("validate_status_form")
    answer = drill.ask(
        "digits-2", f"帮我查下SG2026110003到咩阶段，身份证{OTHER_ID}，后六位{OTHER_ID[-6:]}，电话{PHONE}"
    )
    assert answer.text == busy, answer.text
    drill.heal_actions()

    logs = drill.logs()
    action_logs = logs["actions-1.log"] + logs["actions-2.log"]
    # The error path was logged: which action, which exception (actions/failsafe.py); never the
    # exception's text, so not even the placeholders the resident's message now holds (finding 7).
    assert b"InjectedFault" in action_logs and b"action_check_status" in action_logs
    assert "[已隐去]".encode() not in action_logs
    events = drill.events("digits-1") + drill.events("digits-2")
    stored = json.dumps(events, ensure_ascii=False).encode()
    assert "[已隐去]".encode() in stored
    for name, data in {**logs, "events": stored}.items():
        for digits in (ID_NUMBER, OTHER_ID, PHONE):
            assert digits.encode() not in data, f"{digits} in {name}"
        for tail in (TAIL, OTHER_ID[-6:]):
            assert not _tail_pattern(tail).search(data), f"ID tail {tail} in {name}"
