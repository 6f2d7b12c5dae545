"""The console's JSON API handlers. Sign-in, CSRF and role checks happen before these run
(console/app.py); each handler does one thing and answers in Chinese when it cannot."""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Dict, Mapping, Optional

from aiohttp import web
from sqlalchemy.exc import SQLAlchemyError

from console import audit, insights, kb_search, transcript
from console.accounts import ADMIN, Staff
from console.permissions import permissions
from console.rasa_api import RasaClient, RasaUnavailable
from platform_core.redaction import redact
from service_desk import handoffs
from service_desk.store import ACTIVE, CLOSED, GAVE_UP, REQUESTED, WAITING
from status_store import SettingsError, lookup_async, normalise_application_no
from status_store.credentials import is_application_no
from status_store.privacy import normalise_id_tail

logger = logging.getLogger(__name__)

MAX_REPLY_CHARS = 1000
REASONS = {REQUESTED: "居民要求转人工", GAVE_UP: "助手多次未能理解"}
STATUSES = {WAITING: "等待接管", ACTIVE: "人工处理中", CLOSED: "已交还助手"}
CHANNELS = {"socketio": "网页聊天", "rest": "REST 接口", "wechat": "微信公众号"}
RASA = web.AppKey("rasa", RasaClient)


def error(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


async def _json_body(request: web.Request) -> Dict[str, Any]:
    if request.content_type != "application/json":
        raise web.HTTPBadRequest(text='{"error": "请求格式不正确"}', content_type="application/json")
    try:
        body = await request.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise web.HTTPBadRequest(text='{"error": "请求格式不正确"}', content_type="application/json")
    return body


def _staff(request: web.Request) -> Staff:
    return request["staff"]


async def me(request: web.Request) -> web.Response:
    staff = _staff(request)
    return web.json_response(
        {
            "username": staff.username,
            "role": staff.role,
            "permissions": sorted(permissions(staff.role)),
            "csrf_token": request["csrf"],
        }
    )


async def search(request: web.Request) -> web.Response:
    found = await asyncio.to_thread(kb_search.search, request.query.get("q", ""))
    return web.json_response(
        {
            "results": [r.__dict__ for r in found.results],
            "not_covered": found.not_covered,
        }
    )


async def status(request: web.Request) -> web.Response:
    """Look an application up for a caller who read out the number and the ID's last six."""
    body = await _json_body(request)
    number = normalise_application_no(str(body.get("application_no") or ""))
    tail = normalise_id_tail(str(body.get("id_tail") or ""))
    if not is_application_no(number):
        return error(400, "受理编号格式不正确（如 SG2026110001），请与来电人核对。")
    if tail is None:
        return error(400, "请填写申请人身份证号码的后六位（数字，末位可为 X）。")
    try:
        view = await lookup_async(number, tail)
    except (SettingsError, SQLAlchemyError):
        logger.exception("坐席查询申请进度失败")
        return error(503, "申请进度库暂时无法访问，请稍后再试或联系管理员。")
    await asyncio.to_thread(
        audit.record, _staff(request).username, "status_lookup", number, "找到" if view else "未找到或身份证后六位不符"
    )
    if view is None:
        return web.json_response(
            {
                "found": False,
                "application_no": number,
                "message": "没有找到：受理编号不存在，或身份证后六位与申请不符。请与来电人核对。",
            }
        )
    result = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in view.__dict__.items()}
    return web.json_response({"found": True, "application": result})


def _item(item: handoffs.QueueItem, staff: Staff) -> Dict[str, Any]:
    return {
        "id": item.id,
        "conversation_id": item.conversation_id,
        "channel": item.channel,
        "channel_label": CHANNELS.get(item.channel, item.channel or "未知"),
        "reason": item.reason,
        "reason_label": REASONS.get(item.reason, item.reason),
        "status": item.status,
        "status_label": STATUSES.get(item.status, item.status),
        "created_at": item.created_at.isoformat(timespec="seconds") + "Z",
        "waiting_seconds": item.waiting_seconds(),
        "taken_by": item.taken_by,
        "mine": item.taken_by == staff.username,
    }


async def queue(request: web.Request) -> web.Response:
    items = await asyncio.to_thread(handoffs.queue)
    return web.json_response({"items": [_item(i, _staff(request)) for i in items]})


async def _handoff(request: web.Request) -> handoffs.QueueItem:
    item = await asyncio.to_thread(handoffs.get, int(request.match_info["id"]))
    if item is None:
        raise web.HTTPNotFound(text='{"error": "没有这条转人工记录。"}', content_type="application/json")
    return item


async def handoff(request: web.Request) -> web.Response:
    item = await _handoff(request)
    body: Dict[str, Any] = {"item": _item(item, _staff(request))}
    try:
        body["transcript"] = transcript.render(await request.app[RASA].transcript(item.conversation_id))
    except RasaUnavailable as failure:
        body["transcript_error"] = str(failure)
    return web.json_response(body)


def _conflict(item: handoffs.QueueItem, staff: Staff, *, admin_may: bool = False) -> Optional[str]:
    """Why ``staff`` may not act on this conversation now, or None."""
    if item.status == CLOSED:
        return "该对话已交还助手。"
    if item.status == ACTIVE and item.taken_by != staff.username and not (admin_may and staff.role == ADMIN):
        return f"该对话已由 {item.taken_by} 接管。"
    return None


async def take(request: web.Request) -> web.Response:
    item, staff = await _handoff(request), _staff(request)
    conflict = _conflict(item, staff)
    if conflict:
        return error(409, conflict)
    try:
        await request.app[RASA].take_over(item.conversation_id)
    except RasaUnavailable as failure:
        return error(502, str(failure))
    taken = await asyncio.to_thread(handoffs.take, item.id, staff.username)
    if taken is None or taken.taken_by != staff.username:
        return error(409, _conflict(taken, staff) if taken else "该对话已交还助手。")
    await asyncio.to_thread(audit.record, staff.username, "take_over", item.conversation_id)
    return web.json_response({"item": _item(taken, staff)})


async def reply(request: web.Request) -> web.Response:
    body = await _json_body(request)
    item, staff = await _handoff(request), _staff(request)
    # Like residents' messages, a reply must not put ID or mobile numbers into the tracker.
    text = redact(str(body.get("text") or "").strip())
    if not text:
        return error(400, "回复内容不能为空。")
    if len(text) > MAX_REPLY_CHARS:
        return error(400, f"回复太长：请控制在 {MAX_REPLY_CHARS} 字以内，或分几次发送。")
    if item.status != ACTIVE or item.taken_by != staff.username:
        return error(409, _conflict(item, staff) or "请先接管该对话，再回复。")
    try:
        await request.app[RASA].reply(item.conversation_id, text)
    except RasaUnavailable as failure:
        return error(502, str(failure))
    await asyncio.to_thread(audit.record, staff.username, "reply", item.conversation_id, text[:200])
    return web.json_response({"sent": text})


async def hand_back(request: web.Request) -> web.Response:
    item, staff = await _handoff(request), _staff(request)
    conflict = _conflict(item, staff, admin_may=True)
    if conflict:
        return error(409, conflict)
    try:
        await request.app[RASA].hand_back(item.conversation_id)
    except RasaUnavailable as failure:
        return error(502, str(failure))
    closed = await asyncio.to_thread(handoffs.close, item.id)
    await asyncio.to_thread(audit.record, staff.username, "hand_back", item.conversation_id)
    return web.json_response({"item": _item(closed, staff) if closed else None})


def _kinds(kinds: Any) -> list:
    if isinstance(kinds, Mapping):
        pairs = list(kinds.items())
    else:
        pairs = [(kind, None) for kind in kinds or ()]
    return [{"kind": k, "label": insights.KIND_LABELS.get(k, k), "count": n} for k, n in pairs]


def _report() -> Dict[str, Any]:
    groups = []
    for group in insights.unanswered_groups(limit=50):
        examples = [redact(e) for e in group.examples]
        groups.append(
            {
                "count": group.count,
                "examples": examples,
                "kinds": _kinds(group.kinds),
                "draft": insights.draft_faq(group),
                # What 在问答库中起草 opens in the editor (console/static/answers.js).
                "entry": insights.draft_entry(examples),
            }
        )
    least = [
        {"faq_id": r.faq_id, "question": r.question, "useful": r.useful, "not_useful": r.not_useful}
        for r in insights.least_useful(limit=20)
    ]
    return {"unanswered": groups, "least_useful": least}


async def report(request: web.Request) -> web.Response:
    try:
        return web.json_response(await asyncio.to_thread(_report))
    except SQLAlchemyError:
        logger.exception("读取问答分析失败")
        return error(503, "问答分析数据暂时无法读取，请稍后再试。")


async def audit_log(request: web.Request) -> web.Response:
    username = request.query.get("username") or None
    action = request.query.get("action") or None
    entries = await asyncio.to_thread(audit.recent, 500, username, action)
    return web.json_response(
        {
            "actions": audit.ACTIONS,
            "entries": [
                {
                    "at": e.at.isoformat(timespec="seconds") + "Z",
                    "username": e.username,
                    "action": e.action,
                    "action_label": audit.ACTIONS.get(e.action, e.action),
                    "target": e.target,
                    "detail": e.detail,
                }
                for e in entries
            ],
        }
    )
