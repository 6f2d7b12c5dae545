"""Write the benchmark's figures: reports/bench.json, bench.md, bench_latency.png, and a console summary.

Targets are compared and marked, never enforced: a benchmark prints figures, it does not fail.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Dict, List, Optional

TARGETS_TEXT = {
    "p95_at_20": "p95 ≤ 300 ms at 20 concurrent (pausing)",
    "throughput_ratio": "throughput ≥ 0.8× bare Rasa (lowest level)",
    "training_s": "training from scratch ≤ 3 min",
    "cold_start_s": "cold start ≤ 30 s",
    "stack_rss_mb": "whole stack ≤ 1.5 GB RSS (after load)",
}
LEVEL_COLUMNS = (
    "concurrency",
    "messages",
    "throughput msg/s",
    "p50 ms",
    "p95 ms",
    "p99 ms",
    "errors",
    "empty",
    "wrong",
)


def _level(levels: List[dict], concurrency: int) -> Optional[dict]:
    return next((lv for lv in levels if lv["concurrency"] == concurrency), None)


def targets(data: dict) -> List[dict]:
    """Each target with the measured figure and whether it is met (None: not measured)."""
    ratios = [r["ratio"] for r in data.get("ratios") or [] if r["ratio"] is not None]
    at20 = _level(data.get("ours_paced") or [], 20)
    training = (data.get("training") or {}).get("from_scratch_s")
    after = (data.get("memory") or {}).get("after_load") or {}
    rows = [
        ("p95_at_20", at20["latency_ms"]["p95"] if at20 else None, 300, "ms"),
        ("throughput_ratio", min(ratios) if ratios else None, 0.8, "×"),
        ("training_s", training, 180, "s"),
        ("cold_start_s", (data.get("cold_start") or {}).get("seconds"), 30, "s"),
        ("stack_rss_mb", after.get("total_rss_mb"), 1536, "MB"),
    ]
    out = []
    for key, value, limit, unit in rows:
        met = None if value is None else (value >= limit if key == "throughput_ratio" else value <= limit)
        out.append(
            {"name": key, "target": TARGETS_TEXT[key], "limit": limit, "unit": unit, "measured": value, "met": met}
        )
    return out


def _fmt(value, digits=1) -> str:
    if value is None:
        return "—"
    return f"{value:.{digits}f}" if isinstance(value, float) else str(value)


def _level_rows(levels: List[dict]) -> List[str]:
    lines = ["| " + " | ".join(LEVEL_COLUMNS) + " |", "|" + "---:|" * len(LEVEL_COLUMNS)]
    for lv in levels:
        lat = lv["latency_ms"]
        cells = (
            lv["concurrency"],
            lv["messages"],
            _fmt(lv["throughput_msg_s"], 2),
            _fmt(lat["p50"]),
            _fmt(lat["p95"]),
            _fmt(lat["p99"]),
            lv["http_error"],
            lv["empty"],
            lv["wrong"],
        )
        lines.append("| " + " | ".join(str(c) for c in cells) + " |")
    return lines


def _memory_rows(memory: dict) -> List[str]:
    idle, after = memory.get("idle") or {}, memory.get("after_load") or {}
    after_by_pid = {p["pid"]: p for p in after.get("processes", [])}
    lines = ["| process | pid | RSS idle MB | RSS after load MB | PSS after load MB |", "|---|---:|---:|---:|---:|"]
    for proc in idle.get("processes", []):
        later = after_by_pid.get(proc["pid"], {})
        lines.append(
            f"| {proc['role']} | {proc['pid']} | {_fmt(proc['rss_mb'])} | {_fmt(later.get('rss_mb'))} | "
            f"{_fmt(later.get('pss_mb'))} |"
        )
    lines.append(
        f"| **total** | | **{_fmt(idle.get('total_rss_mb'))}** | **{_fmt(after.get('total_rss_mb'))}** | "
        f"**{_fmt(after.get('total_pss_mb'))}** |"
    )
    return lines


def _target_rows(rows: List[dict]) -> List[str]:
    lines = ["| target | measured | |", "|---|---:|---|"]
    for row in rows:
        mark = {True: "met", False: "NOT met", None: "not measured"}[row["met"]]
        measured = _fmt(row["measured"], 2 if row["unit"] == "×" else 1)
        lines.append(f"| {row['target']} | {measured} {row['unit'] if row['measured'] is not None else ''} | {mark} |")
    return lines


def _pace(meta: dict) -> str:
    if meta.get("conversations_each"):
        return f"{meta['conversations_each']} conversations per resident per level"
    return f"{meta['seconds_per_level']:.0f} s per level"


def markdown(data: dict) -> str:
    meta = data["meta"]
    lines = [
        "# Benchmark · 性能基准",
        "",
        f"{meta['started']} · commit `{meta['commit']}` · mode **{meta['mode']}** · {meta['cpus']} CPUs · "
        f"load average {meta['load_before']} before, {meta['load_after']} after · " + _pace(meta),
        "",
    ]
    if meta.get("noisy"):
        lines += [
            "> The machine was busy (load average above half the CPUs before the run): "
            "figures are noisy; take final figures on a quiet machine.",
            "",
        ]
    lines += ["## Targets", ""] + _target_rows(data["targets"]) + [""]
    lines += ["## Our stack over REST (`/webhooks/rest/webhook`), no pauses: saturated", ""]
    lines += _level_rows(data["ours"]) + [""]
    if data.get("ours_paced"):
        low, high = data["ours_paced"][0]["think_s"]
        lines += [f"## Our stack, residents pausing {low:g}–{high:g} s before each message", ""]
        lines += _level_rows(data["ours_paced"]) + [""]
    if data.get("bare"):
        lines += ["## Bare Rasa, trivial model (same messages, same SQLite tracker store), no pauses", ""]
        lines += _level_rows(data["bare"]) + [""]
        lines += ["| concurrency | ours ÷ bare throughput |", "|---:|---:|"]
        lines += [f"| {r['concurrency']} | {_fmt(r['ratio'], 2)} |" for r in data["ratios"]] + [""]
    lines += _failure_lines(data)
    lines += ["## Memory (RSS from /proc; PSS counts shared pages once)", ""] + _memory_rows(data["memory"]) + [""]
    if data.get("bare_memory"):
        bare_mem = data["bare_memory"]
        lines += [
            f"Bare Rasa for comparison, after load: {_fmt(bare_mem['total_rss_mb'])} MB RSS, "
            f"{_fmt(bare_mem['total_pss_mb'])} MB PSS (one process, no action server).",
            "",
        ]
    lines += _change_lines(data)
    if data.get("profile"):
        lines += _profile_lines(data["profile"])
    elif data.get("profile_error"):
        lines += ["## Profile", "", f"Not available: {data['profile_error']}.", ""]
    lines += ["## How this was measured", "", *[f"- {line}" for line in data["method"]], ""]
    return "\n".join(lines)


def _failure_lines(data: dict) -> List[str]:
    examples = [
        (side, lv["concurrency"], ex)
        for side in ("ours", "ours_paced", "bare")
        for lv in data.get(side) or []
        for ex in lv["examples"]
    ]
    if not examples:
        return ["Every reply was non-empty and had the expected content.", ""]
    lines = [
        "## Failed replies (first few per level)",
        "",
        "| side | concurrency | script | sent | outcome | got |",
        "|---|---:|---|---|---|---|",
    ]
    for side, concurrency, ex in examples:
        got = ex["got"].replace("\n", " ").replace("|", "\\|")[:120]
        lines.append(f"| {side} | {concurrency} | {ex['script']} | {ex['message'][:30]} | {ex['outcome']} | {got} |")
    return lines + [""]


def _change_lines(data: dict) -> List[str]:
    cold, training, change = data.get("cold_start") or {}, data.get("training") or {}, data.get("answer_change") or {}
    lines = [
        "## Start-up and changes",
        "",
        "| what | seconds | note |",
        "|---|---:|---|",
        f"| cold start: process start → first correct answer | {_fmt(cold.get('seconds'))} | "
        f"{cold.get('note', '')} |",
    ]
    if data.get("bare_cold_start") is not None:
        lines.append(f"| bare Rasa cold start, for comparison | {_fmt(data['bare_cold_start'])} | |")
    lines.append(
        f"| training from scratch (`rasa train`, empty cache) | {_fmt(training.get('from_scratch_s'))} | "
        f"{training.get('note', '')} |"
    )
    if data.get("bare_training_s") is not None:
        lines.append(f"| bare model training, for comparison | {_fmt(data['bare_training_s'])} | |")
    components = training.get("components") or []
    for row in components[:5]:
        lines.append(f"| of which: training {row['component']} | {row['seconds']:.0f} | from Rasa's log |")
    if components and training.get("from_scratch_s"):
        rest = training["from_scratch_s"] - sum(row["seconds"] for row in components)
        lines.append(f"| of which: start-up, reading and validating data, packaging | {rest:.0f} | |")
    lines.append(
        f"| answer-only change: file saved → new answer served | {_fmt(change.get('served_after_s'), 2)} | "
        f"{change.get('note', 'not measured')} |"
    )
    if change.get("reload_in_process_ms") is not None:
        split = change.get("reload_split_ms") or {}
        lines.append(
            f"| of which: reloading the KB and rebuilding the search index, per process | "
            f"{change['reload_in_process_ms'] / 1000:.2f} | paid by the first message after an edit "
            f"(YAML + checks {_fmt(split.get('load_kb_ms'), 0)} ms, search index incl. a new jieba "
            f"dictionary {_fmt(split.get('index_ms'), 0)} ms) |"
        )
    return lines + [""]


def _profile_lines(profile: dict) -> List[str]:
    lines = [
        "## Where a message's time goes (in-process profile, `python -m bench.profile`)",
        "",
        f"{profile['messages']} messages, one at a time; exclusive time per stage. Details: "
        f"`{profile.get('report', 'reports/profile.md')}`.",
        "",
        "| stage | mean ms/message | share |",
        "|---|---:|---:|",
    ]
    for row in profile["rasa_side"][:12]:
        lines.append(f"| {row['stage']} | {row['mean_ms']:.1f} | {row['share']:.0%} |")
    return lines + [""]


def plot(data: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (lat_ax, tput_ax) = plt.subplots(1, 2, figsize=(11, 4.2))
    for side, style in (("ours", "-"), ("bare", "--")):
        levels = data.get(side) or []
        if not levels:
            continue
        xs = [lv["concurrency"] for lv in levels]
        for pct, color in (("p50", "tab:blue"), ("p95", "tab:orange"), ("p99", "tab:red")):
            label = f"{'ours' if side == 'ours' else 'bare Rasa'} {pct}"
            lat_ax.plot(xs, [lv["latency_ms"][pct] for lv in levels], style, marker="o", color=color, label=label)
        tput_ax.plot(
            xs,
            [lv["throughput_msg_s"] for lv in levels],
            style,
            marker="o",
            color="tab:green",
            label="ours" if side == "ours" else "bare Rasa",
        )
    paced = data.get("ours_paced") or []
    if paced:
        lat_ax.plot(
            [lv["concurrency"] for lv in paced],
            [lv["latency_ms"]["p95"] for lv in paced],
            ":",
            marker="s",
            color="tab:purple",
            label="ours p95, residents pausing",
        )
    lat_ax.axhline(300, color="grey", linewidth=0.8, linestyle=":", label="p95 target (300 ms @ 20)")
    for ax, title, ylabel in (
        (lat_ax, "Latency vs concurrency", "latency (ms, log)"),
        (tput_ax, "Throughput vs concurrency", "messages / s"),
    ):
        ax.set_xscale("log")
        ax.set_xticks([lv["concurrency"] for lv in data["ours"]])
        ax.get_xaxis().set_major_formatter(matplotlib.ticker.ScalarFormatter())
        ax.set_xlabel("concurrent conversations")
        ax.set_ylabel(ylabel)
        ax.set_title(title)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=7)
    lat_ax.set_yscale("log")
    fig.suptitle(f"Shaoguan hukou assistant · {data['meta']['started']} · {data['meta']['mode']}", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write(data: dict, out: Path) -> Dict[str, Path]:
    out.mkdir(parents=True, exist_ok=True)
    data["targets"] = targets(data)
    paths = {"json": out / "bench.json", "md": out / "bench.md", "png": out / "bench_latency.png"}
    paths["json"].write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    paths["md"].write_text(markdown(data), encoding="utf-8")
    plot(data, paths["png"])
    return paths


def summary(data: dict) -> str:
    """The console table: one line per level, then the targets."""
    bare = {lv["concurrency"]: lv for lv in data.get("bare") or []}
    lines = [
        f"{'conc':>4} {'msg/s':>7} {'p50':>7} {'p95':>7} {'p99':>7} {'fail':>5} | {'bare/s':>7} {'b-p95':>7} "
        f"{'ratio':>6}"
    ]
    for lv in data["ours"]:
        b = bare.get(lv["concurrency"])
        lat = lv["latency_ms"]
        ratio = next((r["ratio"] for r in data.get("ratios") or [] if r["concurrency"] == lv["concurrency"]), None)
        lines.append(
            f"{lv['concurrency']:>4} {_fmt(lv['throughput_msg_s'], 2):>7} {_fmt(lat['p50']):>7} {_fmt(lat['p95']):>7} "
            f"{_fmt(lat['p99']):>7} {lv['failures']:>5} | {_fmt(b['throughput_msg_s'] if b else None, 2):>7} "
            f"{_fmt(b['latency_ms']['p95'] if b else None):>7} {_fmt(ratio, 2):>6}"
        )
    for lv in data.get("ours_paced") or []:
        lat = lv["latency_ms"]
        lines.append(
            f"{lv['concurrency']:>4} {_fmt(lv['throughput_msg_s'], 2):>7} {_fmt(lat['p50']):>7} {_fmt(lat['p95']):>7} "
            f"{_fmt(lat['p99']):>7} {lv['failures']:>5} | residents pausing {lv['think_s'][0]:g}–{lv['think_s'][1]:g} s"
        )
    lines.append("")
    for row in data["targets"]:
        mark = {True: "met", False: "NOT met", None: "not measured"}[row["met"]]
        lines.append(f"  {row['target']:<45} {_fmt(row['measured'], 2):>9} {row['unit']:<3} {mark}")
    return "\n".join(lines)
