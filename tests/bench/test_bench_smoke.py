"""make bench in miniature, against the real stack: one resident, one conversation of each kind.

Starts the whole assistant (python -m bench --smoke: no bare Rasa, no training, no profile) and
checks what the full benchmark relies on: the reports are written, every reply was non-empty and
correct, and the Markdown shows the figures the JSON holds.
"""

import json
import os
import re
import subprocess
import sys

import pytest

from bench.scripts import smoke_set
from tests.conftest import REPO
from tests.stack import MODEL

SMOKE_LIMIT_S = 400


@pytest.fixture(scope="module")
def smoke(tmp_path_factory):
    if not os.path.exists(MODEL):
        pytest.fail(f"模型不存在：{MODEL}（请先 make train）")
    folder = tmp_path_factory.mktemp("bench-smoke")
    out, work = folder / "reports", folder / "work"
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--smoke", "--model", MODEL, "--out", str(out), "--work", str(work)],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=SMOKE_LIMIT_S,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return out, json.loads((out / "bench.json").read_text(encoding="utf-8")), done.stdout


def test_reports_are_written(smoke):
    out, _, stdout = smoke
    assert (out / "bench_latency.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (out / "bench_latency.png").stat().st_size > 10_000
    assert (out / "bench.md").read_text(encoding="utf-8").startswith("# Benchmark")
    assert "p95 ≤ 300 ms at 20 concurrent" in stdout  # the summary table was printed


def test_every_reply_was_non_empty_and_correct(smoke):
    _, data, _ = smoke
    [level] = data["ours"]
    expected_messages = sum(len(script.turns) for script in smoke_set())
    assert level["concurrency"] == 1 and level["messages"] == expected_messages
    assert (level["ok"], level["http_error"], level["empty"], level["wrong"]) == (expected_messages, 0, 0, 0)
    assert data["warmup"]["ours"]["messages"] == expected_messages
    assert data["warmup"]["ours"]["examples"] == []  # no failed reply in the warm-up either
    lat = level["latency_ms"]
    assert 0 < lat["p50"] <= lat["p95"] <= lat["p99"] <= lat["max"]
    assert level["throughput_msg_s"] > 0
    [paced] = data["ours_paced"]  # the same conversations again, pausing before each message
    assert paced["think_s"] == [0.05, 0.1] and paced["ok"] == paced["messages"] == expected_messages
    assert paced["elapsed_s"] > expected_messages * 0.05


def test_markdown_shows_the_json_figures(smoke):
    out, data, _ = smoke
    markdown = (out / "bench.md").read_text(encoding="utf-8")
    section = markdown.split("## Our stack over REST", 1)[1].split("\n## ", 1)[0]
    row = next(line for line in section.splitlines() if re.match(r"\| 1 \|", line))
    cells = [cell.strip() for cell in row.strip("|").split("|")]
    level = data["ours"][0]
    lat = level["latency_ms"]
    expected = [
        1,
        level["messages"],
        f"{level['throughput_msg_s']:.2f}",
        f"{lat['p50']:.1f}",
        f"{lat['p95']:.1f}",
        f"{lat['p99']:.1f}",
        0,
        0,
        0,
    ]
    assert cells == [str(value) for value in expected]


def test_memory_and_cold_start_are_measured(smoke):
    _, data, _ = smoke
    roles = {proc["role"] for proc in data["memory"]["after_load"]["processes"]}
    assert {"action server", "rasa", "web page (web.server)"} <= roles
    for moment in ("idle", "after_load"):
        memory = data["memory"][moment]
        assert memory["total_rss_mb"] == pytest.approx(sum(p["rss_mb"] for p in memory["processes"]), abs=0.5)
        assert memory["total_rss_mb"] > 200  # Rasa with TensorFlow alone is several hundred MB
    assert 0 < data["cold_start"]["seconds"] < 400
    measured = {row["name"]: row for row in data["targets"]}
    assert measured["cold_start_s"]["measured"] == data["cold_start"]["seconds"]
    assert measured["stack_rss_mb"]["measured"] == data["memory"]["after_load"]["total_rss_mb"]
    assert measured["training_s"]["met"] is None  # skipped in the smoke run: not measured, not failed
    assert data["stack_exit_code"] == 0
