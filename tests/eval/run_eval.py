"""make eval: held-out answer accuracy of the assistant and of two baselines, NLU cross-validation.

In one run, the held-out set (tests/eval/heldout.yml) is answered by
  ours        the trained model, through the whole running stack (actions, Rasa, channels);
  whitespace  baseline (b): Rasa's default-style pipeline without Chinese tokenisation, trained on
              the same data, domain and stories, through the same stack;
  bm25        baseline (a): a BM25 search box over the FAQ and the articles, top hit only;
  bm25_glossary  the same search box with policy_kb's glossary-aware tokens (for reference);
every reply judged by tests/eval/judge.py. Then `rasa test nlu --cross-validation` and the entity
extractor comparison. A report, not a gate: it prints the Markdown and writes reports/eval.md,
reports/eval.json and reports/intent_confusion_matrix.png.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Dict, List, Optional

from policy_kb import load_kb
from tests.eval import bm25_baseline, cross_validation, heldout, report, systems
from tests.stack import MODEL, REPO

REPORTS = REPO / "reports"
ALL_SYSTEMS = tuple(report.SYSTEMS)  # ours, whitespace, bm25, bm25_glossary


@contextmanager
def timed(timings: Dict[str, float], step: str):
    started = time.monotonic()
    yield
    timings[step] = round(time.monotonic() - started, 1)


def machine() -> str:
    accelerator = "有 NVIDIA GPU" if any(Path("/dev").glob("nvidia*")) else "无 GPU/加速器"
    return f"{platform.system()} {platform.machine()}，{os.cpu_count()} 核 CPU，{accelerator}"


def _whitespace(kb, cases: List[dict], args, timings: Dict[str, float]) -> dict:
    model = args.whitespace_model
    if model is None:
        with timed(timings, "train_whitespace"):
            model = systems.train_whitespace(args.baseline_dir)
    return systems.through_stack(kb, cases, Path(model), "eval-ws")


def answer_all(kb, cases: List[dict], args, timings: Dict[str, float]) -> Dict[str, dict]:
    """Each selected system answers every case, in table order."""
    runners = {
        "ours": lambda: systems.through_stack(kb, cases, Path(args.model), "eval"),
        "whitespace": lambda: _whitespace(kb, cases, args, timings),
        "bm25": lambda: heldout.run(kb, cases, bm25_baseline.Bm25SearchBox(kb, bm25_baseline.plain_tokeniser()).answer),
        "bm25_glossary": lambda: heldout.run(
            kb, cases, bm25_baseline.Bm25SearchBox(kb, bm25_baseline.glossary_tokeniser(kb)).answer
        ),
    }
    results = {}
    for key in (k for k in ALL_SYSTEMS if k in args.systems):
        with timed(timings, f"heldout_{key}"):
            results[key] = runners[key]()
    return results


def nlu_figures(args, timings: Dict[str, float]) -> dict:
    figures = {}
    if not args.skip_cv:
        with timed(timings, "nlu_cross_validation"):
            figures["nlu_cross_validation"] = cross_validation.run(args.reports, args.folds)
    if not args.skip_entities:
        from tests.eval.entity_comparison import compare  # imports Rasa: only when asked for

        with timed(timings, "entity_comparison"):
            figures["entity_extractors"] = compare()
    return figures


def parse(argv: Optional[List[str]]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default=MODEL, help="the assistant's model (default: models/shaoguan-hukou.tar.gz)")
    parser.add_argument("--systems", nargs="+", choices=ALL_SYSTEMS, default=list(ALL_SYSTEMS))
    parser.add_argument("--baseline-dir", type=Path, default=REPO / "var" / "eval-models", help="where (b) is trained")
    parser.add_argument("--whitespace-model", help="use this trained baseline (b) instead of training it")
    parser.add_argument("--heldout", type=Path, default=heldout.HELDOUT)
    parser.add_argument("--reports", type=Path, default=REPORTS)
    parser.add_argument("--folds", type=int, default=3)
    parser.add_argument("--skip-cv", action="store_true", help="no NLU cross-validation")
    parser.add_argument("--skip-entities", action="store_true", help="no entity extractor comparison")
    return parser.parse_args(argv)


def main(argv: Optional[List[str]] = None) -> int:
    args = parse(argv)
    args.reports.mkdir(parents=True, exist_ok=True)
    kb, cases, timings = load_kb(), heldout.load_cases(args.heldout), {}
    with timed(timings, "total"):
        answered = answer_all(kb, cases, args, timings)
        figures = nlu_figures(args, timings)
    summary = {
        "date": dt.date.today().isoformat(),
        "machine": machine(),
        "model": os.path.relpath(args.model, REPO),
        "cases": len(cases),
        "command": " ".join(["python -m tests.eval.run_eval", *(argv if argv is not None else sys.argv[1:])]),
        "targets": report.targets(answered),
        "systems": answered,
        **figures,
        "timings": timings,
    }
    print(report.write(summary, args.reports))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
