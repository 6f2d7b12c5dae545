"""The conversations the benchmark plays: what a resident types, and what the reply must contain.

Each script is one resident's conversation, turn by turn. A reply counts as correct only when it
contains every expected fragment, so a fast "系统繁忙" or a wrong answer never passes as a figure.
The wording follows the end-to-end tests (tests/e2e), which pin the same behaviour.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import List, Tuple

from platform_core.paths import REPO

STATUS_FIXTURES = REPO / "tests" / "status_store" / "fixtures" / "applications.csv"
CITE = "依据：《韶关市人民政府关于进一步推进户籍制度改革的实施意见》"


@dataclass(frozen=True)
class Turn:
    text: str
    expect: Tuple[str, ...]  # every fragment must appear in the joined reply texts


@dataclass(frozen=True)
class Script:
    name: str
    kind: str  # faq | eligibility | status
    turns: Tuple[Turn, ...]


def _turns(*pairs) -> Tuple[Turn, ...]:
    return tuple(Turn(text, tuple(expect)) for text, expect in pairs)


FAQ_SCRIPTS = (
    Script(
        "faq-renting",
        "faq",
        _turns(
            ("你好", ["您好"]),
            ("租房可以落户吗", [CITE + "第（三）条"]),
            ("老人投靠子女", [CITE, "第（五）条"]),
            ("居住证有什么用", [CITE, "第（八）条"]),
        ),
    ),
    Script(
        "faq-talent-land",
        "faq",
        _turns(
            ("我本科毕业想喺韶关落户", ["第（六）条"]),
            ("进城落户要交回宅基地吗", ["第（十一）条"]),
            ("新生儿怎么上户口", ["没有规定", "12345"]),
        ),
    ),
)

ELIGIBILITY_SCRIPTS = (
    # Facts volunteered in the first message; one question left, then the verdict.
    Script(
        "eligibility-short",
        "eligibility",
        _turns(
            ("帮我看看能不能落户，我本科毕业，在乐昌租房", ["市区、县城、镇上"]),
            ("喺县城", [CITE + "第（三）条", CITE + "第（六）条", "乐昌市辖区派出所户政窗口"]),
        ),
    ),
    # One question at a time, in Cantonese, with a policy question in between.
    Script(
        "eligibility-long",
        "eligibility",
        _turns(
            ("我能落户吗", ["住的地方"]),
            ("冇，住亲戚屋企", ["投靠"]),
            ("父母投靠子女有冇年龄限制？", ["第（五）条"]),
            ("冇人可以投靠", ["学历"]),
            ("初中毕业", ["技能"]),
            ("冇", ["专业人才"]),
            ("唔系", ["很多年"]),
            ("系，喺度做咗十几年", [CITE + "第（四）条"]),
        ),
    ),
)


def status_records(path: Path = STATUS_FIXTURES) -> List[dict]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _status_expect(record: dict) -> List[str]:
    return [f"受理编号 {record['application_no']}", f"当前状态：{record['status']}", f"办理窗口：{record['office']}"]


def status_scripts(records: List[dict]) -> Tuple[Script, ...]:
    """Per fixture record: the number and the ID tail asked one by one, or all in one message."""
    scripts = []
    for index, record in enumerate(records):
        number, tail = record["application_no"], record["id_number"][-6:]
        if index % 2 == 0:
            turns = _turns(
                ("查进度", ["受理编号"]),
                (number, ["最后六位"]),
                (tail, _status_expect(record)),
            )
        else:
            turns = _turns((f"帮我查下{number}到咩阶段，身份证尾号{tail}", _status_expect(record)))
        scripts.append(Script(f"status-{number}", "status", turns))
    return tuple(scripts)


def full_set() -> Tuple[Script, ...]:
    """Every script, mixed so that concurrent residents are doing different things at once."""
    statuses = status_scripts(status_records())
    mixed: List[Script] = []
    pools = [list(FAQ_SCRIPTS), list(ELIGIBILITY_SCRIPTS), list(statuses)]
    while any(pools):
        for pool in pools:
            if pool:
                mixed.append(pool.pop(0))
    return tuple(mixed)


def smoke_set() -> Tuple[Script, ...]:
    """One script of each kind: the smoke test's whole load."""
    return (FAQ_SCRIPTS[0], ELIGIBILITY_SCRIPTS[0], status_scripts(status_records())[0])


def check(turn: Turn, status: int, replies) -> Tuple[str, str]:
    """``(outcome, joined text)``; outcome is ok, http_error, empty or wrong."""
    if status != 200 or not isinstance(replies, list):
        return "http_error", ""
    text = "\n".join(str(r.get("text") or "") for r in replies if isinstance(r, dict))
    if not text.strip():
        return "empty", text
    return ("ok" if all(fragment in text for fragment in turn.expect) else "wrong"), text
