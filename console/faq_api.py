"""JSON handlers of the answers library: read, check as they type, preview, try a question,
submit for review, approve or send back, publish, roll back. Sign-in, origin, CSRF and role are
checked before these run (console/app.py); every state change is written to the audit log.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from typing import Any, Dict, List

from aiohttp import web

from console import audit, faq_library, faq_spreadsheet, faq_store
from console.api import _json_body, error
from console.faq_library import Conflict, Invalid
from console.faq_store import ChangeSet
from policy_kb.authoring.faq_edit import LABELS, FieldProblem
from policy_kb.authoring.faq_release import publish_changes, version_events
from policy_kb.authoring.faq_sheet import SheetError
from policy_kb.authoring.publish import PublishError, rollback

logger = logging.getLogger(__name__)
MAX_NOTE_CHARS = 500
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _problems(problems: List[FieldProblem]) -> List[Dict[str, Any]]:
    return [{"field": p.field, "item": p.item, "message": p.message} for p in problems]


def _iso(when: Any) -> Any:
    return when.isoformat(timespec="seconds") + "Z" if isinstance(when, dt.datetime) else when


def _change_set(change_set: ChangeSet, username: str) -> Dict[str, Any]:
    return {
        "id": change_set.id,
        "author": change_set.author,
        "created_at": _iso(change_set.created_at),
        "state": change_set.state,
        "state_label": faq_store.STATE_LABELS[change_set.state],
        "note": change_set.note,
        "reviewer": change_set.reviewer,
        "review_comment": change_set.review_comment,
        "reviewed_at": _iso(change_set.reviewed_at),
        "publisher": change_set.publisher,
        "published_version": change_set.published_version,
        "mine": change_set.author == username,
        "changes": [
            {
                "id": c["id"],
                "new": c["before"] is None,
                "question": c["after"].get("question"),
                "fields": faq_library.field_diff(c["before"], c["after"]),
                "after": c["after"],
                "base_stamp": c["base_stamp"],
            }
            for c in change_set.changes
        ],
    }


async def library(request: web.Request) -> web.Response:
    return web.json_response(await asyncio.to_thread(faq_library.library))


async def check(request: web.Request) -> web.Response:
    body = await _json_body(request)
    found = await asyncio.to_thread(faq_library.check, body.get("faq") or {}, bool(body.get("is_new")))
    return web.json_response({"problems": _problems(found)})


async def preview(request: web.Request) -> web.Response:
    body = await _json_body(request)
    try:
        return web.json_response(await asyncio.to_thread(faq_library.preview, body.get("faq") or {}))
    except Invalid as refused:
        return web.json_response({"error": str(refused), "problems": _problems(refused.problems)}, status=400)


async def try_question(request: web.Request) -> web.Response:
    body = await _json_body(request)
    question = str(body.get("question") or "").strip()[:200]
    if not question:
        return error(400, "请输入要试问的问题。")
    try:
        return web.json_response(await asyncio.to_thread(faq_library.try_question, question, body.get("faq")))
    except Invalid as refused:
        return web.json_response({"error": str(refused), "problems": _problems(refused.problems)}, status=400)


async def submit(request: web.Request) -> web.Response:
    body, staff = await _json_body(request), request["staff"]
    note = str(body.get("note") or "").strip()[:MAX_NOTE_CHARS]
    try:
        change_set = await asyncio.to_thread(
            faq_library.submit,
            staff.username,
            body.get("faq") or {},
            str(body.get("stamp") or ""),
            bool(body.get("is_new")),
            note,
        )
    except Conflict as conflict:
        both = {"error": str(conflict), "theirs": conflict.theirs, "yours": body.get("faq"), "labels": LABELS}
        return web.json_response(both, status=409)
    except Invalid as refused:
        return web.json_response({"error": str(refused), "problems": _problems(refused.problems)}, status=400)
    await asyncio.to_thread(
        audit.record,
        staff.username,
        "faq_submit",
        f"修改 #{change_set.id}",
        "、".join(change_set.faq_ids) + (f"：{note}" if note else ""),
    )
    return web.json_response({"change_set": _change_set(change_set, staff.username)}, status=201)


async def change_sets(request: web.Request) -> web.Response:
    username = request["staff"].username
    found = await asyncio.to_thread(faq_store.recent)
    return web.json_response({"change_sets": [_change_set(c, username) for c in found]})


async def _existing(request: web.Request) -> ChangeSet:
    change_set = await asyncio.to_thread(faq_store.get, int(request.match_info["id"]))
    if change_set is None:
        raise web.HTTPNotFound(text='{"error": "没有这份修改。"}', content_type="application/json")
    return change_set


async def _review(request: web.Request, state: str, action: str, comment: str) -> web.Response:
    change_set, staff = await _existing(request), request["staff"]
    refusal = faq_library.review_refusal(change_set, staff.username)
    if refusal:
        return error(403 if change_set.author == staff.username else 409, refusal)
    moved = await asyncio.to_thread(
        faq_store.move,
        change_set.id,
        faq_store.SUBMITTED,
        state,
        reviewer=staff.username,
        review_comment=comment,
        reviewed_at=dt.datetime.utcnow(),
    )
    if moved is None:
        return error(409, "这份修改刚被别人处理过，请刷新页面。")
    await asyncio.to_thread(audit.record, staff.username, action, f"修改 #{change_set.id}", comment)
    return web.json_response({"change_set": _change_set(moved, staff.username)})


async def approve(request: web.Request) -> web.Response:
    body = await _json_body(request)
    comment = str(body.get("comment") or "").strip()[:MAX_NOTE_CHARS]
    return await _review(request, faq_store.APPROVED, "faq_approve", comment)


async def send_back(request: web.Request) -> web.Response:
    comment = str((await _json_body(request)).get("comment") or "").strip()[:MAX_NOTE_CHARS]
    if not comment:
        return error(400, "退回时请写明原因，作者才知道要改什么。")
    return await _review(request, faq_store.RETURNED, "faq_return", comment)


async def withdraw(request: web.Request) -> web.Response:
    """The author takes a change back before it is reviewed (to correct it, or to drop it)."""
    change_set, staff = await _existing(request), request["staff"]
    if change_set.author != staff.username:
        return error(403, "只有提交人可以撤回这份修改。")
    moved = await asyncio.to_thread(faq_store.move, change_set.id, faq_store.SUBMITTED, faq_store.WITHDRAWN)
    if moved is None:
        return error(409, "这份修改已经审核过，不能撤回。")
    await asyncio.to_thread(audit.record, staff.username, "faq_withdraw", f"修改 #{change_set.id}")
    return web.json_response({"change_set": _change_set(moved, staff.username)})


def _publish(change_set: ChangeSet, publisher: str) -> int:
    places = faq_library.places()
    note = f"控制台修改 #{change_set.id}（{change_set.author} 提交，{change_set.reviewer} 批准）" + (
        f"：{change_set.note}" if change_set.note else ""
    )
    return publish_changes(change_set.changes, source_dir=places.source, root=places.root, by=publisher, note=note)


async def publish(request: web.Request) -> web.Response:
    change_set, staff = await _existing(request), request["staff"]
    if change_set.state != faq_store.APPROVED:
        return error(409, "只有已批准的修改才能发布。")
    try:
        version = await asyncio.to_thread(_publish, change_set, staff.username)
    except PublishError as refused:
        message = "\n".join([str(refused).split("\n")[0], *refused.problems])
        return web.json_response({"error": message, "problems": refused.problems}, status=409)
    moved = await asyncio.to_thread(
        faq_store.move,
        change_set.id,
        faq_store.APPROVED,
        faq_store.PUBLISHED,
        publisher=staff.username,
        published_version=version,
        published_at=dt.datetime.utcnow(),
    )
    await asyncio.to_thread(
        audit.record,
        staff.username,
        "faq_publish",
        f"第 {version} 版",
        f"修改 #{change_set.id}：{'、'.join(change_set.faq_ids)}",
    )
    return web.json_response({"version": version, "change_set": _change_set(moved or change_set, staff.username)})


async def versions(request: web.Request) -> web.Response:
    events = await asyncio.to_thread(version_events, faq_library.places().root)
    return web.json_response({"versions": events})


async def roll_back(request: web.Request) -> web.Response:
    reason, staff = str((await _json_body(request)).get("reason") or "").strip()[:MAX_NOTE_CHARS], request["staff"]
    version = int(request.match_info["version"])
    if not reason:
        return error(400, "请写明回滚原因。")
    try:
        previous = await asyncio.to_thread(rollback, version, faq_library.places().root, by=staff.username, note=reason)
    except PublishError as refused:
        return error(409, str(refused))
    detail = f"从第 {previous} 版回滚：{reason}"
    await asyncio.to_thread(audit.record, staff.username, "faq_rollback", f"第 {version} 版", detail)
    return web.json_response({"version": version, "previous": previous})


async def sheet(request: web.Request) -> web.Response:
    content = await asyncio.to_thread(faq_spreadsheet.download)
    return web.Response(
        body=content, content_type=XLSX, headers={"Content-Disposition": 'attachment; filename="faqs.xlsx"'}
    )


async def _uploaded(request: web.Request) -> tuple:
    if request.content_type != "multipart/form-data":
        raise web.HTTPBadRequest(text='{"error": "请选择要上传的 .xlsx 表格。"}', content_type="application/json")
    form = await request.post()
    upload = form.get("file")
    if not hasattr(upload, "file"):
        raise web.HTTPBadRequest(text='{"error": "请选择要上传的 .xlsx 表格。"}', content_type="application/json")
    return upload.file.read(), str(form.get("note") or "").strip()[:MAX_NOTE_CHARS]


async def upload_sheet(request: web.Request) -> web.Response:
    (content, note), staff = await _uploaded(request), request["staff"]
    try:
        change_set = await asyncio.to_thread(faq_spreadsheet.upload, staff.username, content, note)
    except SheetError as unreadable:
        return error(400, str(unreadable))
    except Invalid as refused:
        return web.json_response(
            {"error": "表格有问题，没有保存任何修改：", "rows": [p.message for p in refused.problems]}, status=400
        )
    except Conflict as conflict:
        return error(409, str(conflict))
    await asyncio.to_thread(
        audit.record,
        staff.username,
        "faq_submit",
        f"修改 #{change_set.id}",
        "表格上传：" + "、".join(change_set.faq_ids),
    )
    return web.json_response({"change_set": _change_set(change_set, staff.username)}, status=201)
