"""(e) A Rasa instance killed mid-conversation: the other carries on with the same form and slots;
with every instance down, nginx itself still answers politely."""

from policy_kb import answers

CITE = "依据：《韶关市人民政府关于进一步推进户籍制度改革的实施意见》"


def test_one_instance_killed_mid_form(drill):
    sender = "instance-killed"
    assert "住的地方" in drill.ask(sender, "我能落户吗").text
    assert "投靠" in drill.ask(sender, "冇，住亲戚屋企").text
    drill.stack.kill("rasa-1")

    tracker = drill.tracker(sender)  # read through the surviving instance
    assert tracker["active_loop"].get("name") == "eligibility_form"
    assert tracker["slots"]["elig_housing"] is not None
    for reply in ("冇人可以投靠", "初中毕业", "冇", "唔系"):
        answer = drill.ask(sender, reply)
        assert answer.status == 200 and "系统繁忙" not in answer.text and CITE not in answer.text, answer.text
    assert CITE + "第（四）条" in drill.ask(sender, "系，喺度做咗十几年").text


def test_every_instance_down_then_back(drill, kb):
    busy = answers.message(kb, "service_unavailable").text
    sender = "instances-all-down"
    assert "住的地方" in drill.ask(sender, "我能落户吗").text
    drill.stack.kill("rasa-1")
    drill.stack.kill("rasa-2")

    answer = drill.ask(sender, "冇，住亲戚屋企")
    assert answer.status == 200 and answer.text == busy and answer.seconds < 2.0, answer

    drill.restart(["rasa-1", "rasa-2"])
    assert "投靠" in drill.ask(sender, "冇，住亲戚屋企").text  # the form is where it was
