"""(d) Redis (the lock store) unreachable: a visible error, 系统繁忙, and no message handled twice."""

from policy_kb import answers

CITE = "依据：《韶关市人民政府关于进一步推进户籍制度改革的实施意见》"


def test_redis_down_then_back(drill, kb):
    busy = answers.message(kb, "service_unavailable").text
    sender = "redis-down"
    assert "您好" in drill.ask(sender, "你好").text
    for number in (1, 2):  # both instances hold a pooled connection to Redis
        assert "您好" in drill.ask_instance(number, f"redis-warm-{number}", "你好").text
    sizes = {name: drill.stack.log_path(name).stat().st_size for name in ("rasa-1", "rasa-2")}
    drill.proxies["redis"].cut()

    for seq in ("down-1", "down-2"):  # only instance 1 sees the outage
        answer = drill.ask_instance(1, sender, "租房可以落户吗", metadata={"seq": seq})
        assert answer.text == busy, answer.text
        assert answer.seconds < 2.0, f"took {answer.seconds:.2f} s"
    new_lines = b"".join(drill.stack.log_path(name).read_bytes()[size:] for name, size in sizes.items())
    assert b"Error while acquiring lock" in new_lines  # the operator sees why

    drill.proxies["redis"].restore()
    # Straight to each instance: instance 2 never saw the outage and still holds its dead connection.
    for number in (2, 1):
        answer = drill.ask_instance(number, sender, "租房可以落户吗", metadata={"seq": f"back-{number}"})
        assert CITE + "第（三）条" in answer.text, (number, answer.text)
    seqs = [(e.get("metadata") or {}).get("seq") for e in drill.events(sender) if e["event"] == "user"]
    assert seqs == [None, "back-2", "back-1"]  # refused ones never handled; the others exactly once
