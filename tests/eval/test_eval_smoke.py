"""Smoke test of `make eval` inside `make test`: five real held-out cases, the BM25 baselines, the
report files. No stack, no training, no cross-validation (those run in `make eval` only)."""

import json
import re

import pytest
import yaml

from tests.conftest import REPO
from tests.eval import bm25_baseline, cross_validation, heldout, run_eval
from tests.eval.judge import passes
from tests.eval.report import SYSTEMS

EASY = "租房落户"  # the FAQ's own topic in two words: any search box finds article 三
SAMPLE = (EASY, "韶关落户有哪些条件？", "宅基地", "深圳落户需要什么条件？", "你好")


@pytest.fixture(scope="module")
def cases():
    by_text = {case["text"]: case for case in heldout.load_cases()}
    return [by_text[text] for text in SAMPLE]


@pytest.fixture(scope="module")
def search_box(kb):
    return bm25_baseline.Bm25SearchBox(kb, bm25_baseline.plain_tokeniser())


@pytest.fixture(scope="module")
def reports(cases, tmp_path_factory):
    folder = tmp_path_factory.mktemp("eval")
    subset = folder / "heldout.yml"
    subset.write_text(yaml.safe_dump({"cases": cases}, allow_unicode=True), encoding="utf-8")
    argv = ["--systems", "bm25", "bm25_glossary", "--skip-cv", "--skip-entities"]
    assert run_eval.main([*argv, "--heldout", str(subset), "--reports", str(folder / "reports")]) == 0
    return folder / "reports"


def test_bm25_search_box_answers_an_easy_question_with_its_article(kb, search_box):
    reply = search_box.answer(EASY)
    assert passes(kb, {"articles": ["三"]}, reply)
    assert reply.splitlines()[-1] == kb.citation(["三"])


def test_bm25_search_box_cannot_greet(kb, search_box):
    assert not passes(kb, {"behaviour": "greet"}, search_box.answer("你好"))


def test_report_files_are_written(reports):
    assert (reports / "eval.md").read_text(encoding="utf-8").startswith("# 评测报告")
    summary = json.loads((reports / "eval.json").read_text(encoding="utf-8"))
    assert set(summary["systems"]) == {"bm25", "bm25_glossary"}
    assert summary["cases"] == len(SAMPLE)
    assert {"heldout_bm25", "heldout_bm25_glossary", "total"} <= set(summary["timings"])


def test_markdown_accuracy_matches_the_json(reports):
    summary = json.loads((reports / "eval.json").read_text(encoding="utf-8"))
    markdown = (reports / "eval.md").read_text(encoding="utf-8")
    for key, result in summary["systems"].items():
        row = re.search(rf"^\| {re.escape(SYSTEMS[key])} \| (\d+)/(\d+) \| ([\d.]+)% \|", markdown, re.M)
        assert row, key
        assert (int(row[1]), int(row[2])) == (result["correct"], result["total"])
        assert result["total"] == len(SAMPLE)
        assert float(row[3]) == pytest.approx(result["accuracy"] * 100, abs=0.05)
        assert f"Misses — {SYSTEMS[key]}（{len(result['misses'])} 条）" in markdown


def test_easy_question_is_right_and_greeting_is_a_listed_miss(reports):
    summary = json.loads((reports / "eval.json").read_text(encoding="utf-8"))
    missed = {m["text"] for m in summary["systems"]["bm25"]["misses"]}
    assert EASY not in missed
    assert "你好" in missed
    assert "「你好」" in (reports / "eval.md").read_text(encoding="utf-8")


def test_targets_are_not_judged_without_the_assistant(reports):
    summary = json.loads((reports / "eval.json").read_text(encoding="utf-8"))
    assert summary["targets"]["accuracy_met"] is None
    assert "未评测" in (reports / "eval.md").read_text(encoding="utf-8")


def test_whitespace_baseline_differs_from_ours_only_in_the_pipeline():
    ours = yaml.safe_load((REPO / "config.yml").read_text(encoding="utf-8"))
    baseline = yaml.safe_load((REPO / "tests" / "eval" / "baseline_whitespace_config.yml").read_text(encoding="utf-8"))
    assert baseline["policies"] == ours["policies"]
    names = [component["name"] for component in baseline["pipeline"]]
    assert names[0] == "WhitespaceTokenizer"
    assert not any(name.startswith("bot.") or "Jieba" in name for name in names)


def test_each_entity_type_is_scored_by_the_extractor_responsible_for_it():
    def row(p, r, f1, n):
        return {"precision": p, "recall": r, "f1-score": f1, "support": n}

    entities = {
        "PolicyTermExtractor": {"district": row(1.0, 1.0, 1.0, 30), "application_no": row(0.0, 0.0, 0.0, 10)},
        "RegexEntityExtractor": {"district": row(0.0, 0.0, 0.0, 30), "application_no": row(1.0, 0.5, 0.6, 10)},
    }
    summary = cross_validation.entity_summary(entities)
    assert summary["district"]["extractor"] == "PolicyTermExtractor"
    assert summary["application_no"]["extractor"] == "RegexEntityExtractor"
    assert summary["macro avg"]["f1-score"] == pytest.approx(0.8)
    assert summary["weighted avg"]["f1-score"] == pytest.approx((30 * 1.0 + 10 * 0.6) / 40)
