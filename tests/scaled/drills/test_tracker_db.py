"""(c) The conversation database unreachable: an alert in the log and 系统繁忙, never an answer made up
from an empty in-memory conversation; afterwards the conversation goes on where it was."""

from policy_kb import answers

CITE = "依据：《韶关市人民政府关于进一步推进户籍制度改革的实施意见》"
ALERT = "告警：对话库不可用".encode()


def _rasa_log_sizes(drill):
    return {
        name: drill.stack.log_path(name).stat().st_size for name in drill.stack.services if name.startswith("rasa-")
    }


def test_tracker_db_down_alert_busy_then_back(drill, kb):
    busy = answers.message(kb, "service_unavailable").text
    sender = "tracker-down"
    assert "市区、县城、镇上" in drill.ask(sender, "帮我看看能不能落户，我本科毕业，在乐昌租房").text
    for number in (1, 2):  # both instances hold pooled connections to the tracker database
        assert "您好" in drill.ask_instance(number, f"tracker-warm-{number}", "你好").text
    sizes = _rasa_log_sizes(drill)
    drill.proxies["tracker"].cut()

    # During the outage only instance 1 is asked.
    for text in ("喺县城", "租房可以落户吗", "你好"):
        answer = drill.ask_instance(1, sender, text)
        assert answer.status == 200 and answer.text == busy, answer.text
        assert answer.seconds < 2.0, f"took {answer.seconds:.2f} s"
    new_lines = b"".join(drill.stack.log_path(name).read_bytes()[size:] for name, size in sizes.items())
    assert ALERT in new_lines

    drill.proxies["tracker"].restore()
    # Each instance directly, so neither can hide behind the other; instance 2 may have seen no
    # request during the outage and still hold the dead connections in its pool.
    for number in (2, 1):
        answer = drill.ask_instance(number, f"tracker-back-{number}", "租房可以落户吗")
        assert CITE + "第（三）条" in answer.text, (number, answer.text)
    # Nothing was lost or replaced: the form resumes at the question it had asked.
    answer = drill.ask(sender, "喺县城")
    assert CITE + "第（三）条" in answer.text and CITE + "第（六）条" in answer.text, answer.text
    users = [event["text"] for event in drill.events(sender) if event["event"] == "user"]
    assert users == ["帮我看看能不能落户，我本科毕业，在乐昌租房", "喺县城"]
