"""(a) Action servers killed in the middle of the eligibility form."""

import re

from policy_kb import answers

BUSY_WITHIN_SECONDS = 2.0
CITE = "依据：《韶关市人民政府关于进一步推进户籍制度改革的实施意见》"


def upstreams(drill, path):
    """Which upstream addresses nginx sent ``path`` requests to, per its access log."""
    log = (drill.work / "nginx" / "access.log").read_text(encoding="utf-8")
    return set(re.findall(rf" POST {re.escape(path)} upstream=([0-9.:]+) ", log))


def test_requests_are_spread_over_both_instances_and_both_action_servers(drill):
    for number in range(8):
        assert "您好" in drill.ask(f"spread-{number}", "你好").text
    rasa = {f"127.0.0.1:{port}" for port in drill.config.rasa_ports}
    actions = {f"127.0.0.1:{port}" for port in drill.config.action_ports}
    assert upstreams(drill, "/webhooks/rest/webhook") == rasa
    assert upstreams(drill, "/webhook") == actions


def test_one_action_server_down_is_invisible_to_the_resident(drill):
    sender = "actions-one-down"
    assert "住的地方" in drill.ask(sender, "我能落户吗").text
    drill.stack.kill("actions-1")
    for _ in range(3):  # nginx retries the refused connection on the other server
        answer = drill.ask(sender, "冇，住亲戚屋企")
        assert answer.status == 200 and "系统繁忙" not in answer.text, answer.text
        assert "投靠" in answer.text or "一起生活" in answer.text or "家人" in answer.text
        drill.ask(sender, "重新开始")
        drill.ask(sender, "我能落户吗")


def test_all_action_servers_down_mid_form_then_back(drill, kb):
    sender = "actions-all-down"
    busy = answers.message(kb, "service_unavailable").text
    assert "住的地方" in drill.ask(sender, "我能落户吗").text
    drill.stack.kill("actions-1")
    drill.stack.kill("actions-2")

    answer = drill.ask(sender, "冇，住亲戚屋企")
    assert answer.status == 200 and answer.text == busy and "12345" in answer.text
    assert answer.seconds < BUSY_WITHIN_SECONDS, f"系统繁忙 took {answer.seconds:.2f} s"
    assert drill.tracker(sender)["active_loop"].get("name") == "eligibility_form"  # the form waits

    drill.restart(["actions-1", "actions-2"])
    answer = drill.ask(sender, "冇，住亲戚屋企")  # the resident says it again
    assert "投靠" in answer.text or "一起生活" in answer.text or "家人" in answer.text, answer.text
    for reply in ("冇人可以投靠", "初中毕业", "冇", "唔系"):
        assert CITE not in drill.ask(sender, reply).text
    assert CITE + "第（四）条" in drill.ask(sender, "系，喺度做咗十几年").text
