"""What residents ask that the assistant cannot answer, grouped; and the least useful answers.

`make report` prints this; the staff console shows it; a group can become a draft FAQ entry.
Grouping is a single greedy pass over the distinct wordings: each joins the group of the earlier
wording most like it, if that one is alike enough, or starts a new group. "Alike" is the one
similarity of the code base, policy_kb.authoring.similarity (BM25 over the FAQ search's own tokens, the
smaller of both directions), with the published FAQ entries indexed beside the questions so that
落户 or 户口, which every question shares, count for little. The log of one city's unanswered
questions is thousands of lines, not millions, and a rule the communications team can reason
about beats a clever one.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Dict, List, Optional, Sequence

import yaml
from sqlalchemy import select

from console.store import session_scope
from policy_kb.authoring.similarity import TextSimilarity
from policy_kb.live import KNOWLEDGE
from service_desk.store import NOT_USEFUL, UNANSWERED_KINDS, USEFUL, ResidentSignal

REPORTED_KINDS = UNANSWERED_KINDS + (NOT_USEFUL,)
# Measured on sample wordings with the FAQ beside them: paraphrases score 0.34 (落户要交多少钱 /
# 落户要交钱吗), 0.37 (新生儿怎么上户口 / 小孩出生怎么上户口) and 0.67 (落户要交钱吗 / 落户交钱吗);
# different questions 0.28 (落户要交钱吗 / 落户要多久), 0.21 (帮我订去广州的火车票 / 帮我订机票) or less.
SIMILARITY = 0.30
MAX_EXAMPLES = 5
DRAFT_REVIEW_DAYS = 180
KIND_LABELS = {
    "low_confidence": "把握不大",
    "fallback": "没听懂",
    "out_of_scope": "超出范围",
    "not_covered": "文件未规定",
    "not_useful": "居民评“没用”",
}


@dataclass
class QuestionGroup:
    examples: List[str] = field(default_factory=list)  # distinct texts, most frequent first
    count: int = 0
    kinds: Counter = field(default_factory=Counter)
    _texts: Counter = field(default_factory=Counter, repr=False)

    def add(self, text: str, kind: str) -> None:
        self.count += 1
        self.kinds[kind] += 1
        self._texts[text] += 1
        self.examples = [t for t, _ in self._texts.most_common(MAX_EXAMPLES)]


@dataclass(frozen=True)
class AnswerRating:
    faq_id: str
    question: str
    useful: int
    not_useful: int


def group_questions(rows: Sequence[tuple], threshold: float = SIMILARITY) -> List[QuestionGroup]:
    """Group (text, kind) pairs by similarity, largest group first."""
    kb, index = KNOWLEDGE.get()
    texts = [text for text in dict.fromkeys(text for text, _ in rows) if index.tokens(text)]
    background = [" ".join((faq.question, *faq.phrasings)) for faq in kb.published_faqs()]
    similarity = TextSimilarity(background + texts, kb.glossary)
    first = len(background)
    group_of: Dict[str, QuestionGroup] = {}
    groups: List[QuestionGroup] = []
    for i in range(first, first + len(texts)):
        close = similarity.candidates(i, range(first, i), threshold)
        if close:
            group = group_of[texts[max(close, key=lambda j: similarity.score(i, j)) - first]]
        else:
            group = QuestionGroup()
            groups.append(group)
        group_of[texts[i - first]] = group
    for text, kind in rows:
        if text in group_of:
            group_of[text].add(text, kind)
    return sorted(groups, key=lambda g: -g.count)


def unanswered_groups(limit: int = 50, threshold: float = SIMILARITY) -> List[QuestionGroup]:
    with session_scope() as session:
        query = select(ResidentSignal.text, ResidentSignal.kind).where(
            ResidentSignal.kind.in_(REPORTED_KINDS), ResidentSignal.text != ""
        )
        rows = session.execute(query.order_by(ResidentSignal.id)).all()
    return group_questions(rows, threshold)[:limit]


def least_useful(limit: int = 20) -> List[AnswerRating]:
    """Answers residents rated, the most 没用 (relative to 有用) first."""
    counts: Dict[str, Counter] = {}
    with session_scope() as session:
        rows = session.execute(
            select(ResidentSignal.faq_id, ResidentSignal.kind).where(
                ResidentSignal.kind.in_((USEFUL, NOT_USEFUL)), ResidentSignal.faq_id.isnot(None)
            )
        ).all()
    for faq_id, kind in rows:
        counts.setdefault(faq_id, Counter())[kind] += 1
    kb, _ = KNOWLEDGE.get()
    ratings = [
        AnswerRating(
            faq_id, kb.faqs[faq_id].question if faq_id in kb.faqs else "（已删除的问答）", c[USEFUL], c[NOT_USEFUL]
        )
        for faq_id, c in counts.items()
    ]
    ratings.sort(key=lambda r: (-(r.not_useful / (r.useful + r.not_useful)), -r.not_useful))
    return ratings[:limit]


def draft_entry(examples: Sequence[str], today: Optional[date] = None) -> Dict[str, Any]:
    """A group's questions (``examples``, most frequent first) as a new FAQ entry, not yet served
    (status draft): the first as the standard question, the others as phrasings. Intent, answer,
    articles and owner are left for the communications team to fill in."""
    question, *others = examples
    return {
        "id": "draft_" + hashlib.sha1(question.encode("utf-8")).hexdigest()[:8],
        "intent": "",
        "question": question,
        "phrasings": others,
        "answer": "",
        "articles": [],
        "related": [],
        "owner": "",
        "status": "draft",
        "review_by": ((today or date.today()) + timedelta(days=DRAFT_REVIEW_DAYS)).isoformat(),
    }


# What make report --draft writes where the editor leaves a field empty.
_TO_FILL = {
    "intent": "（请填写：对应的意图，如 faq_settle_housing）",
    "answer": "（请填写：只写所引条款里写明的内容；文件没有规定的，写明“《实施意见》没有具体规定”）",
    "owner": "（请填写）",
}


def draft_faq(group: QuestionGroup, today: Optional[date] = None) -> str:
    """A draft FAQ entry (YAML) for the group: the comms team fills in intent, answer and articles."""
    entry = draft_entry(group.examples, today)
    entry = {key: _TO_FILL.get(key) or value for key, value in entry.items() if key != "related"}
    return yaml.safe_dump([entry], allow_unicode=True, sort_keys=False)


def format_report(groups: List[QuestionGroup], ratings: List[AnswerRating]) -> str:
    lines = ["# 居民问了、助手没答好的问题（按相似度归组，次数多的在前）", ""]
    if not groups:
        lines.append("（暂无记录）")
    for number, group in enumerate(groups, 1):
        kinds = "、".join(f"{KIND_LABELS.get(k, k)} {n}" for k, n in group.kinds.most_common())
        lines.append(f"{number}. 共 {group.count} 次（{kinds}）")
        lines.extend(f"   - {example}" for example in group.examples)
    lines += ["", "# 居民评价最差的答案", ""]
    if not ratings:
        lines.append("（暂无评价）")
    for rating in ratings:
        lines.append(f"- {rating.faq_id}「{rating.question}」：没用 {rating.not_useful}，有用 {rating.useful}")
    return "\n".join(lines) + "\n"


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="居民未解决问题报告（make report）")
    parser.add_argument("--limit", type=int, default=50, help="最多列出多少组")
    parser.add_argument(
        "--draft", type=int, help="把第 N 组变成一条 FAQ 草稿（YAML），贴进 policy_kb/data/faqs/ 后修改"
    )
    args = parser.parse_args(argv)
    groups = unanswered_groups(args.limit)
    if args.draft is not None:
        if not 1 <= args.draft <= len(groups):
            print(f"错误：没有第 {args.draft} 组（共 {len(groups)} 组）。", file=sys.stderr)
            return 2
        sys.stdout.write(draft_faq(groups[args.draft - 1]))
        return 0
    sys.stdout.write(format_report(groups, least_useful()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
