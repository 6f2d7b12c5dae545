"""make eval: NLU cross-validation per intent, and held-out answer accuracy through the running stack.

A report, not a gate: it prints the figures and writes reports/eval.md and reports/eval.json.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

import yaml

from policy_kb import load_kb
from tests.eval.entity_comparison import compare, print_comparison
from tests.eval.judge import passes
from tests.stack import REPO, Stack, running_stack

HELDOUT = REPO / "tests" / "eval" / "heldout.yml"
REPORTS = REPO / "reports"


def cross_validation(folds: int) -> dict:
    out = REPORTS / "nlu_cv"
    subprocess.run(
        [
            str(Path(sys.executable).with_name("rasa")),
            "test",
            "nlu",
            "--config",
            "config.yml",
            "--nlu",
            "data/nlu",
            "--cross-validation",
            "--folds",
            str(folds),
            "--out",
            str(out),
        ],
        cwd=REPO,
        check=True,
    )
    return json.loads((out / "intent_report.json").read_text(encoding="utf-8"))


def heldout_accuracy(model: str) -> dict:
    kb = load_kb()
    cases = yaml.safe_load(HELDOUT.read_text(encoding="utf-8"))["cases"]
    with tempfile.TemporaryDirectory() as tmp:
        with running_stack(Path(tmp), model) as stack:
            results = [_ask(stack, kb, case, n) for n, case in enumerate(cases)]
    by_style = Counter(r["style"] for r in results)
    ok_style = Counter(r["style"] for r in results if r["ok"])
    return {
        "total": len(results),
        "correct": sum(r["ok"] for r in results),
        "by_style": {s: f"{ok_style[s]}/{n}" for s, n in sorted(by_style.items())},
        "misses": [r for r in results if not r["ok"]],
    }


def _ask(stack: Stack, kb, case: dict, n: int) -> dict:
    text, _ = stack.ask(case["text"], sender=f"eval-{n}")
    return {
        "text": case["text"],
        "expect": case["expect"],
        "style": case.get("style", ""),
        "ok": passes(kb, case["expect"], text),
        "reply": text[:300],
    }


def _print_intents(report: dict) -> None:
    print(f"{'intent':28} {'precision':>9} {'recall':>7} {'f1':>6} {'n':>4}")
    for intent, row in sorted(report.items()):
        if isinstance(row, dict) and "precision" in row and intent not in ("macro avg", "weighted avg", "micro avg"):
            print(f"{intent:28} {row['precision']:9.3f} {row['recall']:7.3f} {row['f1-score']:6.3f} {row['support']:4}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", required=True)
    parser.add_argument("--folds", type=int, default=3)
    parser.add_argument("--skip-cv", action="store_true")
    args = parser.parse_args()
    REPORTS.mkdir(exist_ok=True)
    summary = {"heldout": heldout_accuracy(args.model)}
    held = summary["heldout"]
    if not args.skip_cv:
        summary["nlu_cross_validation"] = cross_validation(args.folds)
        _print_intents(summary["nlu_cross_validation"])
    summary["entity_extractors"] = compare()
    print_comparison(summary["entity_extractors"])
    print(f"\n独立评测集答案准确率：{held['correct']}/{held['total']} = {held['correct'] / held['total']:.1%}")
    print("按风格：", held["by_style"])
    for miss in held["misses"]:
        print(f"  未答对：{miss['text']}  期望 {miss['expect']}  实际：{miss['reply'][:80]!r}")
    (REPORTS / "eval.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8")
    (REPORTS / "eval.md").write_text(_markdown(held), encoding="utf-8")
    return 0


def _markdown(held: dict) -> str:
    lines = ["# 评测报告", "", f"独立评测集答案准确率：{held['correct']}/{held['total']}", "", "## 未答对", ""]
    lines += [f"- {m['text']} — 期望 {m['expect']}" for m in held["misses"]]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    raise SystemExit(main())
