"""The answers library behind the console's pages, in plain Python (the handlers in
console/faq_api.py only translate HTTP): what the library lists, saving an edit as a change set
(refused when someone else's edit came first), previews, the retrieval trial, the review rules.

The base of every edit is the version residents are served (var/kb/current), not policy_kb/data.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional

from bot.channels.wechat_render import render_messages
from console import faq_store
from console.faq_store import ChangeSet
from platform_core.settings import get_settings
from policy_kb.answers import faq_reply, with_rating
from policy_kb.authoring.faq_edit import LABELS, FieldProblem, check_entry, clean, read_entries, staged_kb, stamp
from policy_kb.authoring.faq_release import live_data_dir
from policy_kb.authoring.publish_store import current_version, publish_root
from policy_kb.loader import DATA_DIR, load_kb
from policy_kb.model import PREAMBLE
from policy_kb.search import FaqIndex

IN_REVIEW = "in_review"
STATUS_LABELS = {"published": "已发布", "draft": "草稿", IN_REVIEW: "审核中"}


class Conflict(Exception):
    """Someone else's edit of the same entry came first; ``theirs`` is their version."""

    def __init__(self, message: str, theirs: Optional[Mapping[str, Any]]):
        self.theirs = theirs
        super().__init__(message)


class Invalid(Exception):
    """The entry fails the checks of make faq-check; nothing was saved."""

    def __init__(self, problems: List[FieldProblem]):
        self.problems = problems
        super().__init__(f"还有 {len(problems)} 个问题需要修改，修改未提交。")


@dataclass(frozen=True)
class Places:
    source: Path  # policy_kb/data (FAQ_SOURCE_DIR)
    root: Path  # the published versions (KB_PUBLISH_DIR)

    @property
    def live(self) -> Path:
        return live_data_dir(self.root, self.source)


def places() -> Places:
    return Places(get_settings().faq_source_dir or DATA_DIR, publish_root())


def open_by_faq() -> Dict[str, ChangeSet]:
    return {faq_id: change_set for change_set in faq_store.open_sets() for faq_id in change_set.faq_ids}


def _row(values: Dict[str, Any], kb, pending: Optional[ChangeSet], today: dt.date) -> Dict[str, Any]:
    status = IN_REVIEW if pending else values["status"]
    return {
        **values,
        "stamp": stamp(values),
        "display_status": status,
        "status_label": STATUS_LABELS.get(status, status),
        "overdue": bool(values["review_by"]) and values["review_by"] < today.isoformat(),
        "citation": kb.citation(values["articles"]) if values["articles"] else "",
        "pending": pending.id if pending else None,
    }


def library(today: Optional[dt.date] = None) -> Dict[str, Any]:
    """Every FAQ entry as residents are served it, the articles, and what the filters offer."""
    live = places().live
    kb, pending = load_kb(live), open_by_faq()
    today = today or dt.date.today()
    entries = [_row(v, kb, pending.get(i), today) for i, v in read_entries(live).items()]
    articles = [
        {"number": a.number, "label": a.label, "heading": a.heading, "section": a.section, "text": a.text}
        for a in sorted(kb.document.articles.values(), key=lambda a: a.index)
    ]
    return {
        "faqs": entries,
        "articles": articles,
        "preamble": {
            "number": PREAMBLE,
            "label": "开篇引言",
            "heading": "",
            "section": "",
            "text": kb.document.preamble,
        },
        "owners": sorted({e["owner"] for e in entries if e["owner"]}),
        "files": sorted({e["file"] for e in entries}),
        "intents": sorted({e["intent"] for e in entries}),
        "version": current_version(places().root),
    }


def check(raw: Mapping[str, Any], is_new: bool) -> List[FieldProblem]:
    live = places().live
    return check_entry(clean(raw, load_kb(live).document), live, is_new=is_new)


def field_diff(before: Optional[Mapping[str, Any]], after: Mapping[str, Any]) -> List[Dict[str, Any]]:
    """The fields that differ, old and new, for the reviewer."""
    before = before or {}
    return [
        {"field": key, "label": label, "before": before.get(key), "after": after.get(key)}
        for key, label in LABELS.items()
        if before.get(key) != after.get(key)
    ]


def submit(author: str, raw: Mapping[str, Any], base_stamp: str, is_new: bool, note: str) -> ChangeSet:
    """Save an edit as a change set for review; Conflict or Invalid (and nothing saved) if not."""
    live = places().live
    values = clean(raw, load_kb(live).document)
    pending = open_by_faq().get(values["id"])
    if pending is not None:
        theirs = next(c["after"] for c in pending.changes if c["id"] == values["id"])
        raise Conflict(
            f"这条问答已有一份待审核的修改（第 {pending.id} 号，{pending.author} 提交），"
            "您的修改没有保存。请对照两个版本，等那份审核完成后再改。",
            theirs,
        )
    before = read_entries(live).get(values["id"])
    if stamp(before) != base_stamp:
        raise Conflict(
            "您打开这条问答之后，它已被别人修改并发布，您的修改没有保存。请对照两个版本，" "在最新版本上重新修改。",
            before,
        )
    problems = check_entry(values, live, is_new=is_new)
    if problems:
        raise Invalid(problems)
    change = {"id": values["id"], "base_stamp": base_stamp, "before": before, "after": values}
    return faq_store.create(author, note, [change])


def review_refusal(change_set: ChangeSet, reviewer: str) -> Optional[str]:
    """Why ``reviewer`` may not approve or send back this change set now, or None."""
    if change_set.author == reviewer:
        return "不能审核自己提交的修改：请另一位有审核权限的同事审核。"
    if change_set.state != faq_store.SUBMITTED:
        return f"这份修改当前状态为“{faq_store.STATE_LABELS[change_set.state]}”，不能再审核。"
    return None


def _staged(live: Path, values: Mapping[str, Any]):
    """The knowledge base with the draft written in; Invalid if it names no existing file."""
    try:
        return staged_kb(live, [values])
    except KeyError:
        raise Invalid([FieldProblem("file", "请选择问答所在的文件")]) from None


def preview(raw: Mapping[str, Any]) -> Dict[str, Any]:
    """The draft answer as a resident gets it: web chat (text and buttons) and WeChat pages."""
    live = places().live
    values = clean(raw, load_kb(live).document)
    kb = _staged(live, values)
    try:
        reply = with_rating(kb, faq_reply(kb, kb.faqs[values["id"]]))
    except (KeyError, IndexError, ValueError):  # a missing field, or a wrong {placeholder} in the answer
        problems = check_entry(values, live, is_new=False) or [FieldProblem("", "答案无法生成，请检查各项内容")]
        raise Invalid(problems) from None
    rendered = render_messages([{"text": reply.text, "buttons": reply.buttons}])
    return {"web": {"text": reply.text, "buttons": [b["title"] for b in reply.buttons]}, "wechat": list(rendered.pages)}


def _hit(hit) -> Dict[str, Any]:
    return {"id": hit.faq.id, "question": hit.faq.question, "score": round(hit.score, 2)}


def try_question(question: str, raw: Optional[Mapping[str, Any]]) -> Dict[str, Any]:
    """Which published entry the search would answer ``question`` with, draft included, and the
    runner-up (the search ranks published entries only, as for residents)."""
    live = places().live
    kb = load_kb(live)
    if raw:
        kb = _staged(live, clean(raw, kb.document))
    hits = FaqIndex(kb).search(question, k=2)
    return {"best": _hit(hits[0]) if hits else None, "runner_up": _hit(hits[1]) if len(hits) > 1 else None}
