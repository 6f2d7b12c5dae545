"""make bench: throughput, latency, memory, start-up and change times of the running assistant.

    python -m bench                   # full run: 1/5/20/50 residents (no pauses, then pausing 1–5 s),
                                      # bare Rasa, training, profile
    python -m bench --skip-training   # the same without the training from scratch (~1–2 min)
    python -m bench --smoke --out DIR # what tests/bench runs: one resident, three scripts, ~1 min

Everything runs on loopback against processes this command starts (on free ports, with a
private tracker DB, status store and knowledge-base copy under --work), never against a running
`make run`. Figures go to reports/bench.{md,json} and reports/bench_latency.png.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Dict, List, Optional, Sequence

from bench import bare, changes, procs, report
from bench.load import merged, run_level
from bench.scripts import REPO, Script, full_set, smoke_set

MODEL = REPO / "models" / "shaoguan-hukou.tar.gz"
STATUS_SECRET = "bench-status-secret-not-for-production-0123456789"
SETTLE_S = 3  # after start-up or load, before reading memory
METHOD = [
    "Client: one asyncio process with aiohttp on loopback; each simulated resident keeps one request in flight and "
    "plays scripts back to back (FAQ questions, the eligibility form, status lookups from "
    "tests/status_store/fixtures), a new sender id per conversation; the connection pool is capped at the "
    "concurrency.",
    "A reply counts only if it is non-empty and contains every expected fragment (the cited article, the status "
    "and office of the record, the next question of the form); errors, empty and wrong replies are counted.",
    "Latency: request sent → JSON reply read, per message. Throughput: messages completed ÷ wall time of the level.",
    "Two paces. No pauses: each resident sends the next message the moment the reply arrives; the server is "
    "saturated, this gives throughput and the ours ÷ bare ratio, and its latency is mostly queueing (concurrency ÷ "
    "throughput). Pausing: each resident reads and types for a random pause (--think, 1–5 s unless changed; the "
    "run's value is meta.think_s) before every message, "
    "arriving spread over the first pause; this gives the latency a resident sees with that many conversations "
    "going on at once, and the p95 target is read from it.",
    "Our stack starts as make run does (python -m launcher.embedded) with SQLite tracker and status store in the work "
    "folder; in full runs the knowledge base is a private copy (POLICY_KB_DIR), edited for the answer-change figure.",
    "Bare Rasa: rasa run of a trivial model (WhitespaceTokenizer, CountVectors, DIET, RulePolicy; four intents "
    "and responses; no action server) on Rasa's own REST channel with the same SQLite tracker store.",
    "Both servers are up together (bare Rasa trained first, cold starts measured one at a time) and every "
    "saturated level alternates them, --seconds each in --rounds turns (default 3 × 10 s): on a shared machine "
    "both see the same busy and quiet moments, so the ratio does not compare one minute with another.",
    "Cold start: process start → first correct answer to 租房可以落户吗 (polling every 0.25 s).",
    "Training from scratch: rasa train of our model with an empty RASA_CACHE_DIRECTORY.",
]


def _git_commit() -> str:
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True)
        dirty = subprocess.run(["git", "status", "--porcelain"], cwd=REPO, capture_output=True, text=True)
        return head.stdout.strip() + ("+dirty" if dirty.stdout.strip() else "")
    except OSError:
        return "unknown"


def _load() -> List[float]:
    return [round(x, 2) for x in os.getloadavg()]


def _level(url: str, scripts: Sequence[Script], args, prefix: str, concurrency: int, seconds, think_s=None):
    return asyncio.run(
        run_level(
            url,
            scripts,
            concurrency,
            duration_s=seconds,
            conversations_each=args.conversations,
            think_s=think_s,
            # "bench-" first: REST refuses 28-character ids that start with "o" (WeChat's openids),
            # which "ours-…" ids sometimes were (bot/channels/conversation_ids.py)
            prefix=f"bench-{prefix}-{int(time.time())}",
        )
    )


def _saturated_levels(sides: Dict[str, tuple], args) -> Dict[str, List[dict]]:
    """Every level with no pauses, each server in turn for a share of the level's time, ``--rounds``
    times: both see the same moments of a shared machine, so the ratio is not one quiet minute
    against one busy one."""
    results: Dict[str, List[dict]] = {name: [] for name in sides}
    for concurrency in args.levels:
        parts: Dict[str, list] = {name: [] for name in sides}
        for round_number in range(args.rounds):
            for name, (url, scripts) in sides.items():
                print(f"  {name}: {concurrency} concurrent, round {round_number + 1}/{args.rounds} …", flush=True)
                seconds = args.seconds / args.rounds if args.seconds else None
                parts[name].append(_level(url, scripts, args, f"{name}-r{round_number}", concurrency, seconds))
        for name in sides:
            results[name].append(merged(parts[name]).summary())
    return results


def _paced_levels(url: str, scripts: Sequence[Script], args) -> List[dict]:
    results = []
    for concurrency in args.levels:
        print(f"  ours: {concurrency} concurrent, pausing {args.think[0]:g}–{args.think[1]:g} s …", flush=True)
        level = _level(url, scripts, args, "ours-paced", concurrency, args.paced_seconds, think_s=args.think)
        results.append(level.summary())
    return results


def _warmup(url: str, scripts: Sequence[Script], prefix: str) -> dict:
    """Every script once, one at a time: first-use costs stay out of the measured levels."""
    summary = asyncio.run(run_level(url, scripts, 1, conversations_each=len(scripts), prefix=prefix)).summary()
    return {key: summary[key] for key in ("messages", "http_error", "empty", "wrong", "examples")}


def _start_ours(args, work: Path, data: dict):
    env = {"STATUS_DB_URL": f"sqlite:///{work / 'status.db'}", "STATUS_HMAC_SECRET": STATUS_SECRET}
    procs.import_status_fixtures(env)
    kb_dir = changes.kb_copy(work) if not args.smoke else None
    if kb_dir:
        env[changes.KB_ENV] = str(kb_dir)
    print("starting our stack …", flush=True)
    server = procs.start_stack(args.model, work, env)
    seconds = server.wait_for_answer(changes.QUESTION, changes.ANSWER_FRAGMENT)
    data["cold_start"] = {
        "seconds": round(seconds, 2),
        "milestones": server.milestones,
        "note": "; ".join(f"{k} at {v:.1f} s" for k, v in server.milestones.items()),
    }
    time.sleep(SETTLE_S)
    data["memory"] = {"idle": procs.memory(server.process.pid)}
    return server, kb_dir


def _start_bare(project: Path, model: Path, work: Path, data: dict):
    print("starting bare Rasa …", flush=True)
    server = procs.start_bare(project, model, work)
    data["bare_cold_start"] = round(server.wait_for_answer("你好", bare.BARE_MARK), 2)
    return server


def measure(args, work: Path, scripts: Sequence[Script], data: dict) -> None:
    """Both servers up together (the bare one trained first, while nothing else runs); cold starts
    one at a time; saturated levels interleaved; then our paced levels, memory, the answer change."""
    if not args.no_bare:
        project = bare.write_project(work / "bare", [t.text for s in scripts for t in s.turns])
        print("training the bare Rasa model …", flush=True)
        bare_model, seconds = bare.train(project)
        data["bare_training_s"] = round(seconds, 1)
    ours, kb_dir = _start_ours(args, work, data)
    yardstick, other = bare.bare_scripts(scripts), None
    try:
        if not args.no_bare:
            other = _start_bare(project, bare_model, work, data)
        data["warmup"] = {"ours": _warmup(ours.url, scripts, "warmup")}
        sides = {"ours": (ours.url, scripts)}
        if other:
            data["warmup"]["bare"] = _warmup(other.url, yardstick, "bare-warmup")
            sides["bare"] = (other.url, yardstick)
        levels = _saturated_levels(sides, args)
        data["ours"], data["bare"] = levels["ours"], levels.get("bare")
        if args.think:
            data["ours_paced"] = _paced_levels(ours.url, scripts, args)
        time.sleep(SETTLE_S)
        data["memory"]["after_load"] = procs.memory(ours.process.pid)
        if other:
            data["bare_memory"] = procs.memory(other.process.pid)
            other.stop()
            other = None
        if kb_dir:
            print("answer-only change …", flush=True)
            data["answer_change"] = changes.answer_change(ours, kb_dir)
    finally:
        if other:
            other.stop()
        data["stack_exit_code"] = ours.stop()
    data["ratios"] = _ratios(data["ours"], data.get("bare") or [])


def _ratios(ours: List[dict], bare_levels: List[dict]) -> List[dict]:
    by_level = {lv["concurrency"]: lv["throughput_msg_s"] for lv in ours}
    return [
        {
            "concurrency": lv["concurrency"],
            "ratio": round(by_level[lv["concurrency"]] / lv["throughput_msg_s"], 3) if lv["throughput_msg_s"] else None,
        }
        for lv in bare_levels
    ]


def measure_profile(args, work: Path, data: dict) -> None:
    target = work / "profile.json"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.profile",
            "--model",
            str(args.model),
            "--out",
            str(args.out),
            "--json",
            str(target),
            "--work",
            str(work / "profile"),
        ],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    if done.returncode == 0 and target.is_file():
        data["profile"] = json.loads(target.read_text(encoding="utf-8"))
    else:
        data["profile_error"] = f"python -m bench.profile exited with {done.returncode}"
        print(data["profile_error"], file=sys.stderr)


def _pause_range(text: str):
    if text.strip() == "0":
        return None
    try:
        low, high = (float(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected LO,HI in seconds (e.g. 1,5) or 0, not {text!r}") from None
    if not 0 <= low <= high:
        raise argparse.ArgumentTypeError(f"need 0 <= LO <= HI, not {text!r}")
    return low, high


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", type=Path, default=MODEL)
    parser.add_argument("--out", type=Path, default=REPO / "reports", help="where the reports go")
    parser.add_argument(
        "--work",
        type=Path,
        default=REPO / "var" / "bench" / "last",
        help="scratch folder (emptied first): databases, logs, the bare project",
    )
    parser.add_argument("--levels", type=lambda s: [int(x) for x in s.split(",")], default=[1, 5, 20, 50])
    parser.add_argument("--seconds", type=float, default=30.0, help="measured seconds per concurrency level and server")
    parser.add_argument(
        "--rounds", type=int, default=3, help="the saturated levels alternate ours and bare Rasa this many times"
    )
    parser.add_argument("--conversations", type=int, default=None, help="or: conversations per resident per level")
    parser.add_argument(
        "--think",
        type=_pause_range,
        default=(1.0, 5.0),
        help="LO,HI: the paced levels' pause before each message, in seconds; 0 = no paced levels",
    )
    parser.add_argument("--paced-seconds", type=float, default=60.0, help="measured seconds per paced level")
    parser.add_argument("--skip-training", action="store_true", help="do not time training from scratch (~1–2 min)")
    parser.add_argument("--no-bare", action="store_true", help="do not train and load the bare Rasa yardstick")
    parser.add_argument("--no-profile", action="store_true", help="do not run bench.profile")
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="one resident, one conversation per script kind; no bare Rasa, training, profile",
    )
    args = parser.parse_args(argv)
    if args.smoke:
        args.levels, args.seconds, args.conversations, args.think, args.rounds = [1], None, 3, (0.05, 0.1), 1
        args.skip_training = args.no_bare = args.no_profile = True
    return args


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parse_args(argv)
    if not args.model.is_file():
        print(f"模型不存在：{args.model}（请先 make train）", file=sys.stderr)
        return 2
    shutil.rmtree(args.work, ignore_errors=True)
    args.work.mkdir(parents=True)
    scripts = smoke_set() if args.smoke else full_set()
    load_before = _load()
    data = {
        "meta": {
            "started": dt.datetime.now().isoformat(timespec="seconds"),
            "commit": _git_commit(),
            "mode": "smoke" if args.smoke else "full",
            "cpus": os.cpu_count(),
            "load_before": load_before,
            "noisy": load_before[0] > (os.cpu_count() or 1) / 2,
            "levels": args.levels,
            "seconds_per_level": args.seconds,
            "conversations_each": args.conversations,
            "think_s": list(args.think) if args.think else None,
            "paced_seconds_per_level": args.paced_seconds,
            "scripts": [s.name for s in scripts],
        },
        "method": METHOD,
        "bare": None,
        "ratios": [],
        "training": {},
        "answer_change": {},
        "profile": None,
    }
    measure(args, args.work, scripts, data)
    if args.skip_training:
        data["training"] = {"from_scratch_s": None, "note": "skipped (--skip-training)"}
    else:
        print("training our model from scratch …", flush=True)
        data["training"] = changes.train_from_scratch(args.work / "train")
    if not args.no_profile:
        measure_profile(args, args.work, data)
    data["meta"]["load_after"] = _load()
    paths = report.write(data, args.out)
    print(report.summary(data))
    print("\n" + "\n".join(f"  {path}" for path in paths.values()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
