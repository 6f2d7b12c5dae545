"""Score one system's answers to the held-out set with the judge: overall, by style, by expectation.

A system is anything that turns a question into the assistant's reply text (the running stack,
the BM25 search box); every system is judged by the same ``judge.passes``.
"""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path
from typing import Callable, Dict, List

import yaml

from policy_kb.loader import KnowledgeBase
from tests.eval.judge import behaviours, cited_articles, passes
from tests.stack import REPO

HELDOUT = REPO / "tests" / "eval" / "heldout.yml"
REPLY_CHARS = 300

# (question, case number) -> the reply text the resident would read
Answer = Callable[[str, int], str]


def load_cases(path: Path = HELDOUT) -> List[dict]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))["cases"]


def category(expect: dict) -> str:
    """A case's label as one string: ``articles:三`` or ``behaviour:not_covered``."""
    if "articles" in expect:
        return "articles:" + ",".join(str(a) for a in expect["articles"])
    return f"behaviour:{expect['behaviour']}"


def kind(expect: dict) -> str:
    return "articles" if "articles" in expect else "behaviour"


def what_it_did(kb: KnowledgeBase, text: str) -> str:
    """The reply as the judge saw it: cited articles and recognised behaviours."""
    cited = "、".join(sorted(cited_articles(kb, text))) or "无"
    shown = ", ".join(sorted(behaviours(kb, text))) or "无"
    return f"引用 {cited}；行为 {shown}"


def run(kb: KnowledgeBase, cases: List[dict], answer: Answer) -> dict:
    """Ask every case, judge every reply, and summarise."""
    started = time.monotonic()
    results = [_judged(kb, case, answer(case["text"], n)) for n, case in enumerate(cases)]
    return {**summarise(results), "seconds": round(time.monotonic() - started, 1)}


def _judged(kb: KnowledgeBase, case: dict, reply: str) -> dict:
    return {
        "text": case["text"],
        "expect": case["expect"],
        "style": case.get("style", ""),
        "ok": passes(kb, case["expect"], reply),
        "got": what_it_did(kb, reply),
        "reply": reply[:REPLY_CHARS],
    }


def _tally(results: List[dict], key: Callable[[dict], str]) -> Dict[str, Dict[str, int]]:
    total = Counter(key(r) for r in results)
    correct = Counter(key(r) for r in results if r["ok"])
    return {name: {"correct": correct[name], "total": n} for name, n in sorted(total.items())}


def summarise(results: List[dict]) -> dict:
    correct = sum(r["ok"] for r in results)
    return {
        "total": len(results),
        "correct": correct,
        "accuracy": correct / len(results) if results else 0.0,
        "by_kind": _tally(results, lambda r: kind(r["expect"])),
        "by_style": _tally(results, lambda r: r["style"]),
        "by_category": _tally(results, lambda r: category(r["expect"])),
        "misses": [r for r in results if not r["ok"]],
    }
