"""NLU cross-validation with ``rasa test nlu --cross-validation``: intent and entity
precision/recall/F1, and Rasa's intent confusion matrix (PNG) copied next to the report."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Dict

from tests.eval.systems import rasa_command
from tests.stack import REPO

SUMMARY_ROWS = ("accuracy", "micro avg", "macro avg", "weighted avg")
CONFUSION_PNG = "intent_confusion_matrix.png"
NOT_ENTITY_REPORTS = ("intent_report.json", "response_selection_report.json")


def run(reports: Path, folds: int, config: Path = REPO / "config.yml") -> dict:
    """Cross-validate ``config`` on data/nlu; Rasa's own files go to reports/nlu_cv."""
    out = reports / "nlu_cv"
    command = [rasa_command(), "test", "nlu", "--config", str(config), "--nlu", "data/nlu"]
    command += ["--cross-validation", "--folds", str(folds), "--out", str(out)]
    subprocess.run(command, cwd=REPO, check=True)
    png = out / CONFUSION_PNG
    if png.exists():
        shutil.copyfile(png, reports / CONFUSION_PNG)
    entities = {path.name[: -len("_report.json")]: _read(path) for path in _entity_reports(out)}
    return {
        "folds": folds,
        "intents": _read(out / "intent_report.json"),
        "entities": entities,
        "entity_summary": entity_summary(entities),
        "confusion_matrix": CONFUSION_PNG if png.exists() else None,
    }


def _entity_reports(out: Path):
    return sorted(p for p in out.glob("*_report.json") if p.name not in NOT_ENTITY_REPORTS)


def _read(path: Path) -> Dict[str, dict]:
    """Per label: precision, recall, f1-score, support (Rasa's extra keys such as the
    confused_with lists are dropped), then the averages."""
    report = json.loads(path.read_text(encoding="utf-8"))
    rows = {}
    for label, row in report.items():
        if isinstance(row, dict) and "precision" in row:
            rows[label] = {k: row[k] for k in ("precision", "recall", "f1-score", "support")}
        elif label == "accuracy":
            rows[label] = {"f1-score": row}
    return rows


def labels(report: Dict[str, dict]) -> Dict[str, dict]:
    return {k: v for k, v in report.items() if k not in SUMMARY_ROWS}


def averages(report: Dict[str, dict]) -> Dict[str, dict]:
    return {k: report[k] for k in SUMMARY_ROWS if k in report}


def entity_summary(entities: Dict[str, Dict[str, dict]]) -> Dict[str, dict]:
    """Per entity type, the row of the extractor that extracts it, then macro and weighted averages.

    Rasa scores every extractor against every entity type, so each one scores 0 on the types it
    is not meant for (the regex extractor on districts, the glossary matcher on 受理编号): the
    extractor with the best F1 on a type is the one responsible for it.
    """
    rows: Dict[str, dict] = {}
    for extractor, report in entities.items():
        for label, row in labels(report).items():
            if label not in rows or row["f1-score"] > rows[label]["f1-score"]:
                rows[label] = {**row, "extractor": extractor}
    if not rows:
        return {}
    support = sum(r["support"] for r in rows.values()) or 1
    keys = ("precision", "recall", "f1-score")
    macro = {k: sum(r[k] for r in rows.values()) / len(rows) for k in keys}
    weighted = {k: sum(r[k] * r["support"] for r in rows.values()) / support for k in keys}
    totals = {"support": sum(r["support"] for r in rows.values())}
    return {**rows, "macro avg": {**macro, **totals}, "weighted avg": {**weighted, **totals}}
