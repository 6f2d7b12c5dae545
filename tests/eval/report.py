"""Write the evaluation summary as reports/eval.json and reports/eval.md (the same text is printed).

Figures only come from the summary that run_eval measured; nothing here computes a score except
the comparison with the targets.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Dict, List

from tests.eval import cross_validation

# Display names, in table order. Residents never read these; operators and engineers do.
SYSTEMS = {
    "ours": "本助手（jieba + 政策词表管线）",
    "whitespace": "基线 b：Rasa 默认式管线（空格分词）",
    "bm25": "基线 a：BM25 搜索框（jieba）",
    "bm25_glossary": "参考：BM25 搜索框（政策词表分词）",
}
TARGET_ACCURACY = 0.95
TARGET_MARGIN_POINTS = 15.0


def targets(systems: Dict[str, dict]) -> dict:
    """Held-out accuracy ≥ 95 %, and ≥ 15 points above the BM25 baseline (None: not measured)."""
    ours, bm25 = systems.get("ours"), systems.get("bm25")
    margin = (ours["accuracy"] - bm25["accuracy"]) * 100 if ours and bm25 else None
    return {
        "accuracy": ours["accuracy"] if ours else None,
        "accuracy_target": TARGET_ACCURACY,
        "accuracy_met": ours["accuracy"] >= TARGET_ACCURACY if ours else None,
        "margin_over_bm25_points": round(margin, 1) if margin is not None else None,
        "margin_target_points": TARGET_MARGIN_POINTS,
        "margin_met": margin >= TARGET_MARGIN_POINTS if margin is not None else None,
    }


def write(summary: dict, reports: Path) -> str:
    """Write eval.json and eval.md into ``reports``; return the Markdown."""
    reports.mkdir(parents=True, exist_ok=True)
    (reports / "eval.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8")
    text = markdown(summary)
    (reports / "eval.md").write_text(text, encoding="utf-8")
    return text


def markdown(summary: dict) -> str:
    systems = summary["systems"]
    lines = ["# 评测报告 · Evaluation report", "", *_header(summary), *_targets(summary["targets"])]
    lines += _heldout_table(systems)
    lines += _breakdown("按问法风格 · By style", "by_style", systems)
    lines += _breakdown("按期望答案 · By expected answer", "by_category", systems)
    if summary.get("nlu_cross_validation"):
        lines += _cross_validation(summary["nlu_cross_validation"])
    if summary.get("entity_extractors"):
        lines += _entity_comparison(summary["entity_extractors"])
    lines += _timings(summary["timings"])
    for key, result in systems.items():
        lines += _misses(SYSTEMS[key], result["misses"])
    return "\n".join(lines) + "\n"


def _header(summary: dict) -> List[str]:
    return [
        f"- 日期 · date: {summary['date']}",
        f"- 机器 · machine: {summary['machine']}",
        f"- 模型 · model: `{summary['model']}`",
        f"- 独立评测集 · held-out set: `tests/eval/heldout.yml`，{summary['cases']} 条",
        f"- 命令 · command: `{summary['command']}`",
        "",
    ]


def _yes_no(met) -> str:
    return "未评测" if met is None else ("达到 ✅" if met else "未达到 ❌")


def _targets(t: dict) -> List[str]:
    accuracy = f"{t['accuracy']:.1%}" if t["accuracy"] is not None else "—"
    margin = f"{t['margin_over_bm25_points']:+.1f} 个百分点" if t["margin_over_bm25_points"] is not None else "—"
    return [
        "## 目标对照 · Targets",
        "",
        "| 指标 | 目标 | 实测 | 结果 |",
        "|---|---|---|---|",
        f"| 独立评测集答案准确率（本助手） | ≥ {t['accuracy_target']:.0%} | {accuracy} "
        f"| {_yes_no(t['accuracy_met'])} |",
        f"| 比 BM25 基线高 | ≥ {t['margin_target_points']:.0f} 个百分点 | {margin} | {_yes_no(t['margin_met'])} |",
        "",
    ]


def _fraction(tally: Dict[str, int]) -> str:
    return f"{tally['correct']}/{tally['total']}" if tally else "—"


def _heldout_table(systems: Dict[str, dict]) -> List[str]:
    lines = [
        "## 独立评测集答案准确率 · Held-out answer accuracy",
        "",
        "答对：引用了期望的条款（可以多引），或表现出期望的行为（拒答时不得引用条款）。",
        "",
        "| 系统 | 答对/总数 | 准确率 | 条款题 | 行为题 | 用时（秒） |",
        "|---|---|---|---|---|---|",
    ]
    for key, r in systems.items():
        kinds = r["by_kind"]
        lines.append(
            f"| {SYSTEMS[key]} | {r['correct']}/{r['total']} | {r['accuracy']:.1%} | "
            f"{_fraction(kinds.get('articles', {}))} | {_fraction(kinds.get('behaviour', {}))} | {r['seconds']} |"
        )
    return lines + [""]


def _breakdown(title: str, key: str, systems: Dict[str, dict]) -> List[str]:
    names = sorted({name for r in systems.values() for name in r[key]})
    lines = [f"## {title}", "", "| | " + " | ".join(SYSTEMS[s] for s in systems) + " |"]
    lines.append("|---" * (len(systems) + 1) + "|")
    for name in names:
        lines.append(f"| {name} | " + " | ".join(_fraction(r[key].get(name, {})) for r in systems.values()) + " |")
    return lines + [""]


def _score_rows(rows: Dict[str, dict]) -> List[str]:
    out = ["| | precision | recall | F1 | n |", "|---|---|---|---|---|"]
    for label, row in rows.items():
        if "precision" in row:
            out.append(
                f"| {label} | {row['precision']:.3f} | {row['recall']:.3f} | {row['f1-score']:.3f} | {row['support']} |"
            )
        else:
            out.append(f"| {label} | | | {row['f1-score']:.3f} | |")
    return out


def _cross_validation(cv: dict) -> List[str]:
    lines = [f"## NLU 交叉验证（{cv['folds']} 折）· NLU cross-validation", "", "### 意图 · Intents", ""]
    lines += _score_rows(cross_validation.averages(cv["intents"])) + [""]
    lines += _score_rows(cross_validation.labels(cv["intents"])) + [""]
    if cv.get("confusion_matrix"):
        lines += [f"![意图混淆矩阵 · intent confusion matrix]({cv['confusion_matrix']})", ""]
    if cv.get("entity_summary"):
        lines += _entities(cv["entity_summary"])
    return lines


def _entities(summary: Dict[str, dict]) -> List[str]:
    lines = [
        "### 实体 · Entities",
        "",
        "Rasa 按词元评估；每类实体取负责它的抽取器（其余抽取器在该类上为 0），各抽取器的原始报告见 `nlu_cv/`。",
        "",
    ]
    lines += _score_rows(cross_validation.averages(summary)) + [""]
    lines += ["| | extractor | precision | recall | F1 | n |", "|---|---|---|---|---|---|"]
    for label, r in cross_validation.labels(summary).items():
        lines.append(
            f"| {label} | {r['extractor']} | {r['precision']:.3f} | {r['recall']:.3f} | {r['f1-score']:.3f} "
            f"| {r['support']} |"
        )
    return lines + [""]


def _entity_comparison(results: Dict[str, Dict[str, list]]) -> List[str]:
    lines = ["## 实体抽取对比（训练数据中的标注为准）· Entity extractors on the annotated examples", ""]
    lines += ["| extractor | entity | P | R | F1 | n |", "|---|---|---|---|---|---|"]
    for name, rows in results.items():
        for entity, (p, r, f1, n) in rows.items():
            lines.append(f"| {name} | {entity} | {p:.3f} | {r:.3f} | {f1:.3f} | {n} |")
    return lines + [""]


def _timings(timings: Dict[str, float]) -> List[str]:
    lines = ["## 用时 · Timings (seconds)", "", "| 步骤 | 秒 |", "|---|---|"]
    lines += [f"| {step} | {seconds} |" for step, seconds in timings.items()]
    return lines + [""]


def _misses(title: str, misses: List[dict]) -> List[str]:
    lines = [f"## 未答对 · Misses — {title}（{len(misses)} 条）", ""]
    for m in misses:
        expect = ",".join(map(str, m["expect"]["articles"])) if "articles" in m["expect"] else m["expect"]["behaviour"]
        lines.append(f"- 「{m['text']}」（{m['style']}）期望 {expect}；实际 {m['got']}")
    return lines + [""]
