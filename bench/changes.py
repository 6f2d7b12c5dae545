"""How long changes take to reach residents: a full retrain, and an answer-only edit (no training).

The answer edit goes into a private copy of the knowledge base that the benchmark's stack reads
through POLICY_KB_DIR; policy_kb/data itself is never written. If the stack does not honour that
variable, the edited answer never shows and the figure is reported as not measured.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Dict, List, Optional, Tuple

from bench.bare import training_env
from bench.procs import Server, ask, joined
from bench.scripts import REPO

KB_ENV = "POLICY_KB_DIR"
MARK = "【基准测试改动】"
QUESTION, ANSWER_FRAGMENT = "租房可以落户吗", "第（三）条"
SERVED_LIMIT_S = 30
POLL_S = 0.1


def train_from_scratch(folder: Path) -> dict:
    """``rasa train`` of our model with an empty cache (the model is thrown away): seconds in all
    and per component, read from Rasa's "Starting/Finished training component" log lines."""
    env = training_env(folder / "cache")
    rasa = str(Path(sys.executable).with_name("rasa"))
    log_path = folder.parent / "train.log"
    started = time.monotonic()
    with log_path.open("w") as log:
        done = subprocess.run(
            [
                rasa,
                "train",
                "--config",
                "config.yml",
                "--domain",
                "bot/domain",
                "--data",
                "data",
                "--out",
                str(folder / "models"),
                "--fixed-model-name",
                "scratch",
            ],
            cwd=REPO,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            timeout=3600,
        )
    elapsed = time.monotonic() - started
    trained = (folder / "models" / "scratch.tar.gz").is_file()
    shutil.rmtree(folder, ignore_errors=True)
    if done.returncode != 0 or not trained:
        raise RuntimeError(f"training from scratch failed; see {log_path}")
    text = log_path.read_text(encoding="utf-8", errors="replace")
    return {
        "from_scratch_s": round(elapsed, 1),
        "components": component_seconds(text),
        "log": str(log_path),
        "note": "empty Rasa cache; model discarded",
    }


_TRAINING_LINE = re.compile(
    r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)\s+INFO\s+rasa\.engine\.training\.hooks\s+-\s+"
    r"(Starting to train|Finished training) component '([^']+)'",
    re.MULTILINE,
)


def component_seconds(log_text: str) -> List[dict]:
    """Training seconds per component (whole seconds: Rasa's log has no finer timestamps)."""
    open_since: Dict[str, List[dt.datetime]] = {}
    totals: Dict[str, float] = {}
    for stamp, what, name in _TRAINING_LINE.findall(log_text):
        moment = dt.datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S")
        if what.startswith("Starting"):
            open_since.setdefault(name, []).append(moment)
        elif open_since.get(name):
            totals[name] = totals.get(name, 0.0) + (moment - open_since[name].pop()).total_seconds()
    return sorted(({"component": k, "seconds": v} for k, v in totals.items()), key=lambda r: -r["seconds"])


def kb_copy(folder: Path) -> Path:
    """A private copy of policy_kb/data for the stack under test."""
    from policy_kb.loader import DATA_DIR

    target = folder / "kb"
    shutil.copytree(DATA_DIR, target)
    return target


def stack_reads_kb_env() -> bool:
    """Whether policy_kb/live.py mentions POLICY_KB_DIR at all (the served check is the real test)."""
    return KB_ENV in (REPO / "policy_kb" / "live.py").read_text(encoding="utf-8")


def _answer_snippet(kb_dir: Path, reply: str) -> Tuple[Path, str]:
    """The file and a unique piece of the FAQ answer the stack just served."""
    from policy_kb.loader import load_kb

    for faq in load_kb(kb_dir).faqs.values():
        snippet = faq.answer.split("{")[0].strip()[:12]
        if len(snippet) >= 6 and snippet in reply:
            holders = [p for p in sorted(kb_dir.rglob("*.yml")) if snippet in p.read_text(encoding="utf-8")]
            if len(holders) == 1 and holders[0].read_text(encoding="utf-8").count(snippet) == 1:
                return holders[0], snippet
    raise LookupError("the served answer was not found in the knowledge-base copy")


def answer_change(server: Server, kb_dir: Path) -> dict:
    """Edit the served answer in ``kb_dir``; seconds until the next reply carries the edit."""
    reply = joined(ask(server.url, QUESTION, "answer-change-before"))
    if ANSWER_FRAGMENT not in reply:
        return {"served_after_s": None, "note": "the stack did not answer the question correctly before the edit"}
    path, snippet = _answer_snippet(kb_dir, reply)
    reload_ms = _reload_cost_ms(kb_dir)
    text = path.read_text(encoding="utf-8").replace(snippet, MARK + snippet)
    path.write_text(text, encoding="utf-8")
    changed = time.monotonic()
    served = _wait_for_mark(server)
    result = {
        "file": path.name,
        "reload_in_process_ms": reload_ms["total_ms"],
        "reload_split_ms": reload_ms,
        "kb_env_in_live_py": stack_reads_kb_env(),
    }
    if served is None:
        result.update(
            served_after_s=None,
            note=f"edit not served within {SERVED_LIMIT_S} s: the stack does not "
            f"read {KB_ENV} (policy_kb/live.py), so it answers from policy_kb/data",
        )
    else:
        result.update(served_after_s=round(served - changed, 3), note="no training, no restart")
    return result


def _wait_for_mark(server: Server) -> Optional[float]:
    deadline, attempt = time.monotonic() + SERVED_LIMIT_S, 0
    while time.monotonic() < deadline:
        attempt += 1
        if MARK in joined(ask(server.url, QUESTION, f"answer-change-{attempt}")):
            return time.monotonic()
        time.sleep(POLL_S)
    return None


def _reload_cost_ms(kb_dir: Path) -> Dict[str, float]:
    """What the first message after an edit pays in each process: load the KB, rebuild the index."""
    from policy_kb.loader import load_kb
    from policy_kb.search import FaqIndex

    started = time.perf_counter()
    kb = load_kb(kb_dir)
    loaded = time.perf_counter()
    FaqIndex(kb)
    done = time.perf_counter()
    return {
        "load_kb_ms": round((loaded - started) * 1000, 1),
        "index_ms": round((done - loaded) * 1000, 1),
        "total_ms": round((done - started) * 1000, 1),
    }
