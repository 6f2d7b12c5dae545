"""``make faq-check``: everything that must be right before an FAQ edit reaches residents, reported
as ``file:line: problem`` so the communications team can go straight to the line.

It runs the knowledge base's own validation (the same rules ``policy_kb.authoring.check`` applies before
training: citations exist, published entries cite, the reply fits WeChat, …), pointing each problem
at its line, and adds what only matters for publishing: review dates, intents the trained model
does not know, and questions that the search or the intent classifier could confuse with others.
Drafts are never served, so the publishing rules look at published entries only.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import List, Optional, Sequence

from policy_kb.authoring.cli import ChineseArgumentParser, display_path
from policy_kb.authoring.faq_similar import DEFAULT_THRESHOLD, Phrase, similar_pairs
from policy_kb.authoring.faq_source import FaqSourceError, entries_by_id, entry_line, read_faq_files
from policy_kb.authoring.training_data import DOMAIN_DIR, NLU_DIR, Example, domain_intents, nlu_examples
from policy_kb.loader import DATA_DIR, read_kb
from policy_kb.model import FaqEntry
from policy_kb.validation import faq_findings, other_problems


@dataclass(frozen=True, order=True)
class LintProblem:
    where: str  # a file, or "file 中的 …" when the problem has no single line
    line: int  # 1-based; 0 when not tied to a line
    message: str

    def __str__(self) -> str:
        return f"{self.where}:{self.line}: {self.message}" if self.line else f"{self.where}：{self.message}"


class _Locator:
    """Turns (file, entry id, field) into ``file:line`` using the FAQ files as written."""

    def __init__(self, data_dir: Path, files):
        self._data_dir = data_dir
        self._entries = entries_by_id(files)

    def at(self, faq: FaqEntry, message: str, field: Optional[str] = None, item: Optional[int] = None) -> LintProblem:
        return self.at_source(faq.source, faq.id, message, field, item)

    def at_source(self, source: str, faq_id: str, message: str, field=None, item=None) -> LintProblem:
        entry = self._entries.get((source, faq_id))
        line = entry_line(entry, field, item) if entry is not None else 0
        return LintProblem(display_path(self._data_dir / source), line, message)

    def loader_problem(self, problem: str) -> LintProblem:
        """The loader names an entry as "faqs/x.yml 中的 id：…"; point those at the entry's line."""
        for source, faq_id in self._entries:
            prefix = f"{source} 中的 {faq_id}："
            if problem.startswith(prefix):
                return self.at_source(source, faq_id, problem[len(prefix) :])
        where, _, message = problem.partition("：")
        return LintProblem(f"{display_path(self._data_dir)}/{where}", 0, message)

    def phrases(self, faqs: Sequence[FaqEntry]) -> List[Phrase]:
        """The standard question and every phrasing of each entry, with their lines."""
        found = []
        for faq in faqs:
            entry = self._entries.get((faq.source, faq.id))
            fields = [("question", None)] + [("phrasings", i) for i in range(len(faq.phrasings))]
            lines = [entry_line(entry, *field) if entry is not None else 0 for field in fields]
            where = display_path(self._data_dir / faq.source)
            texts = (faq.question, *faq.phrasings)
            found += [Phrase(text, faq, where, line) for text, line in zip(texts, lines, strict=True)]
        return found


def _intent_problems(faqs, known: set, locate: _Locator) -> List[LintProblem]:
    return [
        locate.at(
            faq,
            f"意图 {faq.intent} 不在已训练的模型里，居民问了也答不到这条。需要开发人员在 bot/domain 中加入该意图、"
            "在 data/nlu 中写训练例句并重新训练模型；在那之前请把 status 设为 draft",
            "intent",
        )
        for faq in faqs
        if faq.intent not in known
    ]


def _review_problems(faqs, today: dt.date, locate: _Locator) -> List[LintProblem]:
    return [
        locate.at(
            faq,
            f"复核日期 {faq.review_by} 已过（今天是 {today}）：请核对答案是否仍然准确，再更新 review_by",
            "review_by",
        )
        for faq in faqs
        if faq.review_by is not None and faq.review_by < today
    ]


def _similarity_problems(phrases, examples: List[Example], glossary, threshold: float) -> List[LintProblem]:
    problems = []
    for pair in similar_pairs(phrases, examples, glossary, threshold):
        how = "相同" if pair.same else f"相近（相似度 {pair.score:.2f}，阈值 {threshold:.2f}）"
        other = pair.other
        if isinstance(other, Phrase):
            message = (
                f"“{pair.phrase.text}”与 {other.where}:{other.line} 条目 {other.faq.id} 的“{other.text}”{how}："
                "检索分不清这两条，请改写或合并"
            )
        else:
            message = (
                f"“{pair.phrase.text}”与训练数据 {display_path(other.path)}:{other.line} 中意图 {other.intent} 的例句"
                f"“{other.text}”{how}：居民这样问时模型会识别成 {other.intent}。"
                "请改写这条问法，或请开发人员调整训练数据"
            )
        problems.append(LintProblem(pair.phrase.where, pair.phrase.line, message))
    return problems


def lint(
    data_dir: Path = DATA_DIR,
    *,
    nlu_dir: Path = NLU_DIR,
    domain_dir: Path = DOMAIN_DIR,
    today: Optional[dt.date] = None,
    threshold: float = DEFAULT_THRESHOLD,
) -> List[LintProblem]:
    """Every problem in the FAQ (and the rest of the knowledge base), sorted by file and line."""
    try:
        files = read_faq_files(data_dir)
    except FaqSourceError as error:  # nothing else can be checked in a file that does not parse
        return [LintProblem(display_path(error.path), error.line, error.message)]
    kb, load_problems = read_kb(data_dir)
    locate = _Locator(data_dir, files)
    problems = [locate.loader_problem(p) for p in load_problems + other_problems(kb)]
    for faq in kb.faqs.values():
        problems += [locate.at(faq, f.message, f.field, f.item) for f in faq_findings(kb, faq)]
    published = kb.published_faqs()
    examples = nlu_examples(nlu_dir)
    # The model knows an intent only if the domain declares it and the training data has examples.
    known = domain_intents(domain_dir) & {example.intent for example in examples}
    problems += _intent_problems(published, known, locate)
    problems += _review_problems(published, today or dt.date.today(), locate)
    problems += _similarity_problems(locate.phrases(published), examples, kb.glossary, threshold)
    return sorted(set(problems))


def threshold_arg(value: str) -> float:
    """argparse type for the near-duplicate threshold, refusing in Chinese."""
    try:
        number = float(value)
    except ValueError:
        number = -1.0
    if not 0 < number <= 1:
        raise argparse.ArgumentTypeError(
            f"相似度阈值应为 0 到 1 之间的小数（例如 {DEFAULT_THRESHOLD}），实际为 {value!r}"
        )
    return number


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期应写成 YYYY-MM-DD，实际为 {value!r}") from None


def _parser() -> argparse.ArgumentParser:
    parser = ChineseArgumentParser(prog="python -m policy_kb.authoring.faq_lint", description="检查常见问题（FAQ）文件")
    parser.add_argument("--data-dir", type=Path, default=DATA_DIR, help="政策数据目录（默认 policy_kb/data）")
    parser.add_argument("--threshold", type=threshold_arg, default=DEFAULT_THRESHOLD, help="近似重复阈值（0–1）")
    parser.add_argument("--today", type=_date, default=None, help="按这一天检查复核日期（YYYY-MM-DD，默认今天）")
    return parser


def main(argv: Optional[List[str]] = None) -> int:
    args = _parser().parse_args(argv)
    problems = lint(args.data_dir, today=args.today, threshold=args.threshold)
    for problem in problems:
        print(problem)
    if problems:
        print(f"常见问题检查未通过：共 {len(problems)} 个问题。", file=sys.stderr)
        return 1
    print(f"常见问题检查通过（近似重复阈值 {args.threshold:.2f}）。")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
