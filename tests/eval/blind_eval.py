"""Issue 16's blind sets through the running stack: real residents' questions and multi-turn dialogues.

    python -m tests.eval.blind_eval --questions tests/eval/sets/real_questions_first.yml \
        --dialogues tests/eval/sets/dialogues_first.yml --label first

Each real question is asked in a fresh conversation; each dialogue is one conversation, turn by turn.
Every reply is judged strictly (tests/eval/judge.py): expected articles cited, expected behaviour
shown, and never *confidently wrong*. Answer precision is reported beside accuracy: how often a reply
cites an article the question does not need (over-cited) and how often it is confidently wrong.
Results go to reports/blind_<label>.md and .json. A report, not a gate.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from collections import Counter
from pathlib import Path
from typing import Callable, Dict, List, Optional

import requests
import yaml

from policy_kb import load_kb
from policy_kb.loader import KnowledgeBase
from tests.eval.heldout import what_it_did
from tests.eval.judge import confidently_wrong, over_cited, passes
from tests.stack import MODEL, REPO, running_stack

REPORTS = REPO / "reports"
REPLY_CHARS = 400

# (text, conversation id) -> the reply text the resident reads
Ask = Callable[[str, str], str]


def judge_turn(kb: KnowledgeBase, case: dict, reply: str) -> dict:
    also_ok = case.get("also_ok") or []
    expect = case["expect"]
    return {
        "text": case.get("text") or case.get("say"),
        "expect": expect,
        "also_ok": also_ok,
        "ok": passes(kb, expect, reply, also_ok),
        "confidently_wrong": confidently_wrong(kb, expect, reply, also_ok),
        "over_cited": over_cited(kb, expect, reply, also_ok),
        "got": what_it_did(kb, reply),
        "reply": reply[:REPLY_CHARS],
    }


def _rate(results: List[dict], key: str) -> dict:
    hits = sum(bool(r[key]) for r in results)
    return {"count": hits, "total": len(results), "rate": hits / len(results) if results else 0.0}


def _by(results: List[dict], field: str) -> Dict[str, dict]:
    total = Counter(r.get(field, "") for r in results)
    good = Counter(r.get(field, "") for r in results if r["ok"])
    return {k: {"correct": good[k], "total": n} for k, n in sorted(total.items())}


def run_questions(kb: KnowledgeBase, cases: List[dict], ask: Ask) -> dict:
    results = []
    for n, case in enumerate(cases):
        judged = judge_turn(kb, case, ask(case["text"], f"bq-{n}"))
        results.append({**judged, "kind": case.get("kind", ""), "source": case.get("source", "")})
    return {
        "accuracy": _rate(results, "ok"),
        "confidently_wrong": _rate(results, "confidently_wrong"),
        "over_cited": _rate(results, "over_cited"),
        "by_kind": _by(results, "kind"),
        "misses": [r for r in results if not r["ok"]],
    }


def run_dialogues(kb: KnowledgeBase, dialogues: List[dict], ask: Ask) -> dict:
    turns, whole, failed = [], [], []
    for dialogue in dialogues:
        judged = [judge_turn(kb, turn, ask(turn["say"], f"bd-{dialogue['id']}")) for turn in dialogue["turns"]]
        for turn in judged:
            turn["kind"] = dialogue.get("kind", "")
        turns.extend(judged)
        ok = all(t["ok"] for t in judged)
        whole.append({"ok": ok, "kind": dialogue.get("kind", "")})
        if not ok:
            failed.append({"id": dialogue["id"], "kind": dialogue.get("kind", ""), "turns": judged})
    return {
        "turns": _rate(turns, "ok"),
        "dialogues": _rate(whole, "ok"),
        "confidently_wrong": _rate(turns, "confidently_wrong"),
        "over_cited": _rate(turns, "over_cited"),
        "dialogues_by_kind": _by(whole, "kind"),
        "failed": failed,
    }


def stack_asker(stack) -> Ask:
    def ask(text: str, sender: str) -> str:
        try:
            reply, _ = stack.ask(text, sender=sender)
        except (AssertionError, requests.RequestException) as error:
            return f"（请求失败：{error}）"
        return reply

    return ask


def _pct(rate: dict) -> str:
    return f"{rate['count']}/{rate['total']} = {100 * rate['rate']:.1f}%"


def markdown(label: str, summary: dict) -> str:
    lines = [f"# 盲测集结果（{label}）", ""]
    q = summary.get("questions")
    if q:
        lines += [
            f"- 真实问题：正确 {_pct(q['accuracy'])}；自信地答错 {_pct(q['confidently_wrong'])}；"
            f"多引条款 {_pct(q['over_cited'])}",
            "",
        ]
        lines += [f"  - {k}: {v['correct']}/{v['total']}" for k, v in q["by_kind"].items()]
        lines += ["", "## 真实问题：未答对", ""]
        lines += [f"- {m['text'][:80]} — 期望 {m['expect']} also_ok {m['also_ok']}；{m['got']}" for m in q["misses"]]
    d = summary.get("dialogues")
    if d:
        lines += [
            "",
            f"- 多轮对话：轮次 {_pct(d['turns'])}；整段对话 {_pct(d['dialogues'])}；"
            f"自信地答错 {_pct(d['confidently_wrong'])}；多引条款 {_pct(d['over_cited'])}",
            "",
        ]
        lines += [f"  - {k}: {v['correct']}/{v['total']}" for k, v in d["dialogues_by_kind"].items()]
        lines += ["", "## 多轮对话：未全对的对话", ""]
        for f in d["failed"]:
            lines.append(f"### {f['id']}（{f['kind']}）")
            lines += [f"- {'✓' if t['ok'] else '✗'} {t['text']} — 期望 {t['expect']}；{t['got']}" for t in f["turns"]]
    return "\n".join(lines) + "\n"


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default=MODEL)
    parser.add_argument("--questions", type=Path)
    parser.add_argument("--dialogues", type=Path)
    parser.add_argument("--label", default="blind")
    parser.add_argument("--reports", type=Path, default=REPORTS)
    args = parser.parse_args(argv)
    kb, summary = load_kb(), {}
    with tempfile.TemporaryDirectory() as tmp:
        env = {"STATUS_DB_URL": f"sqlite:///{Path(tmp) / 'status.db'}"}
        with running_stack(Path(tmp), str(args.model), env) as stack:
            ask = stack_asker(stack)
            if args.questions:
                cases = yaml.safe_load(args.questions.read_text(encoding="utf-8"))["cases"]
                summary["questions"] = run_questions(kb, cases, ask)
            if args.dialogues:
                dialogues = yaml.safe_load(args.dialogues.read_text(encoding="utf-8"))["dialogues"]
                summary["dialogues"] = run_dialogues(kb, dialogues, ask)
    args.reports.mkdir(parents=True, exist_ok=True)
    (args.reports / f"blind_{args.label}.json").write_text(json.dumps(summary, ensure_ascii=False, indent=1))
    text = markdown(args.label, summary)
    (args.reports / f"blind_{args.label}.md").write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
