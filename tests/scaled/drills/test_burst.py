"""(f) Ten messages of one conversation at once, spread over both instances: handled one at a time,
each exactly once, each answered with its own answer."""

import re
import time
from concurrent.futures import ThreadPoolExecutor

QUESTIONS = {
    "租房可以落户吗": "第（三）条",
    "老人投靠子女": "第（五）条",
    "居住证有什么用": "第（八）条",
    "进城落户要交回宅基地吗": "第（十一）条",
    "新生儿怎么上户口": "没有规定",
}
BURST = list(QUESTIONS) * 2


def _timed(drill, sender, seq, text):
    answer = drill.ask(sender, text, metadata={"seq": seq})
    return seq, answer, time.monotonic()


def _turns(events):
    """Events after the greeting, cut into turns that each start with a user message."""
    turns = []
    for event in events:
        if event["event"] == "user":
            turns.append([event])
        elif turns:
            turns[-1].append(event)
    return turns[1:]


def test_a_burst_for_one_conversation(drill):
    sender = "burst"
    assert "您好" in drill.ask(sender, "你好").text
    access_log = drill.work / "nginx" / "access.log"
    log_start = access_log.stat().st_size
    with ThreadPoolExecutor(len(BURST)) as pool:
        results = list(pool.map(lambda item: _timed(drill, sender, *item), enumerate(BURST)))

    for seq, answer, _ in results:
        assert answer.status == 200 and "系统繁忙" not in answer.text, (seq, answer.text)
        assert QUESTIONS[BURST[seq]] in answer.text, (seq, BURST[seq], answer.text)  # its own answer

    turns = _turns(drill.events(sender))
    seqs = [turn[0]["metadata"]["seq"] for turn in turns]
    assert sorted(seqs) == list(range(len(BURST)))  # every message exactly once, none lost
    for turn in turns:  # one at a time: each turn is complete before the next message starts
        kinds = [event["event"] for event in turn]
        assert "bot" in kinds and turn[-1].get("name") == "action_listen", kinds
        assert kinds.count("user") == 1
    by_reply_time = [seq for seq, _, _ in sorted(results, key=lambda result: result[2])]
    assert seqs == by_reply_time  # handled in the order the replies went out

    burst_log = access_log.read_bytes()[log_start:].decode()
    served_by = set(re.findall(r"POST /webhooks/rest/webhook upstream=([0-9.:]+) ", burst_log))
    assert served_by == {f"127.0.0.1:{port}" for port in drill.config.rasa_ports}  # across instances
