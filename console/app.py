"""The hotline staff console, served by the web process (web/server.py) at /staff/.

Every route is declared once in :data:`ROUTES` with who may use it; :func:`guard` wraps each
handler with the checks, in this order: a live session (else 401 JSON for the API, a redirect to
the sign-in page for pages), for POSTs the request's origin and the session's CSRF token (403),
then the role (403). Only the sign-in page and the static assets it needs are public.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Awaitable, Callable, Optional

from aiohttp import web

from console import accounts, api, audit, faq_api, pages, sessions
from console.permissions import (
    ANSWERS,
    ANSWERS_EDIT,
    ANSWERS_REVIEW,
    AUDIT,
    HANDOFF,
    REPORT,
    SEARCH,
    STATUS,
    allowed,
)
from console.rasa_api import RasaClient
from console.security import (
    COOKIE,
    POLL_HEADER,
    SAFE_METHODS,
    clear_session_cookie,
    client_address,
    console_headers,
    csrf_ok,
    origin_ok,
    set_session_cookie,
)
from platform_core.settings import ConsoleSettings

logger = logging.getLogger(__name__)

STATIC = Path(__file__).resolve().parent / "static"
PREFIX = "/staff"
LOGIN_PATH = PREFIX + "/login"
SETTINGS = web.AppKey("settings", ConsoleSettings)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

BAD_ORIGIN = "请求来源不正确，请从控制台页面操作。"
BAD_CSRF = "页面已过期或请求无效，请刷新页面后重试。"
FORBIDDEN = "您的账号没有权限使用此功能。"
SIGNED_OUT = "请先登录。"


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # inside /staff
    handler: Handler
    permission: Optional[str]  # None: any signed-in staff member
    api: bool  # JSON errors (401/403) instead of a redirect or an HTML page


def _html(text: str, status: int = 200) -> web.Response:
    return web.Response(text=text, status=status, content_type="text/html")


def _redirect(location: str, status: int = 302) -> web.Response:
    return web.Response(status=status, headers={"Location": location})


def _refuse(route: Route, status: int, message: str) -> web.Response:
    if route.api:
        return web.json_response({"error": message}, status=status)
    if status == 401:
        return _redirect(LOGIN_PATH)
    return _html(pages.notice(message), status)


def guard(route: Route) -> Handler:
    async def checked(request: web.Request) -> web.StreamResponse:
        settings = request.app[SETTINGS]
        token = request.cookies.get(COOKIE, "")
        background = request.headers.get(POLL_HEADER) == "1"
        signed_in = await asyncio.to_thread(sessions.resolve, token, settings, activity=not background)
        if signed_in is None:
            response = _refuse(route, 401, SIGNED_OUT)
            if token:
                clear_session_cookie(response)
            return response
        if request.method not in SAFE_METHODS:
            if not origin_ok(request, settings):
                return _refuse(route, 403, BAD_ORIGIN)
            if not await csrf_ok(request, signed_in.csrf_token):
                return _refuse(route, 403, BAD_CSRF)
        if not allowed(signed_in.staff.role, route.permission):
            return _refuse(route, 403, FORBIDDEN)
        request["staff"], request["csrf"] = signed_in.staff, signed_in.csrf_token
        return await route.handler(request)

    return checked


def _page(name: str) -> Handler:
    async def show(request: web.Request) -> web.Response:
        staff = request["staff"]
        return _html(pages.page(name, staff.username, staff.role, request["csrf"]))

    return show


async def login_page(request: web.Request) -> web.Response:
    settings = request.app[SETTINGS]
    token = request.cookies.get(COOKIE, "")
    if token and await asyncio.to_thread(sessions.resolve, token, settings, activity=False):
        return _redirect("/staff/")
    return _html(pages.login(settings))


async def login(request: web.Request) -> web.Response:
    settings = request.app[SETTINGS]
    if not origin_ok(request, settings):
        return _html(pages.login(settings, BAD_ORIGIN), 403)
    form = await request.post()
    username, password = str(form.get("username") or "").strip(), str(form.get("password") or "")
    if not username or not password:
        return _html(pages.login(settings, "请输入用户名和密码。", username), 400)
    client = client_address(request, settings)
    # Recorded before the password is checked, so parallel attempts count each other.
    attempt = await asyncio.to_thread(sessions.begin_login, username, client, settings)
    if attempt is None:
        message = f"登录失败次数过多，请 {settings.login_window_minutes} 分钟后再试，或联系管理员。"
        return _html(pages.login(settings, message, username), 429)
    staff = await asyncio.to_thread(accounts.authenticate, username, password)
    if staff is None:
        await asyncio.to_thread(_record_failure, attempt, settings)
        return _html(pages.login(settings, "用户名或密码不正确，或账号已停用。", username), 401)
    await asyncio.to_thread(sessions.login_succeeded, attempt, settings)
    await asyncio.to_thread(sessions.purge_expired, settings)
    token, _ = await asyncio.to_thread(sessions.start, staff)
    await asyncio.to_thread(audit.record, staff.username, "login", "", client)
    response = _redirect("/staff/", 303)
    set_session_cookie(response, request, token, settings)
    return response


def _record_failure(attempt: sessions.LoginAttempt, settings: ConsoleSettings) -> None:
    sessions.login_failed(attempt, settings)
    # A mistyped username may be a password typed into the wrong box: only known names are kept.
    who = attempt.username if accounts.user_exists(attempt.username) else "（未知用户名）"
    audit.record(who, "login_failed", "", attempt.client)


async def logout(request: web.Request) -> web.Response:
    await asyncio.to_thread(sessions.end, request.cookies.get(COOKIE, ""))
    await asyncio.to_thread(audit.record, request["staff"].username, "logout")
    response = _redirect(LOGIN_PATH, 303)
    clear_session_cookie(response)
    return response


# The answers library (console/faq_api.py): hotline reads, comms edits, a reviewer approves.
ANSWER_ROUTES = (
    Route("GET", "/answers", _page("answers"), ANSWERS, api=False),
    Route("GET", "/reviews", _page("reviews"), ANSWERS, api=False),
    Route("GET", "/api/answers", faq_api.library, ANSWERS, api=True),
    Route("POST", "/api/answers/check", faq_api.check, ANSWERS_EDIT, api=True),
    Route("POST", "/api/answers/preview", faq_api.preview, ANSWERS, api=True),
    Route("POST", "/api/answers/try", faq_api.try_question, ANSWERS, api=True),
    Route("GET", "/api/answers/sheet", faq_api.sheet, ANSWERS, api=True),
    Route("POST", "/api/answers/sheet", faq_api.upload_sheet, ANSWERS_EDIT, api=True),
    Route("GET", "/api/changes", faq_api.change_sets, ANSWERS, api=True),
    Route("POST", "/api/changes", faq_api.submit, ANSWERS_EDIT, api=True),
    Route("POST", r"/api/changes/{id:\d+}/approve", faq_api.approve, ANSWERS_REVIEW, api=True),
    Route("POST", r"/api/changes/{id:\d+}/return", faq_api.send_back, ANSWERS_REVIEW, api=True),
    Route("POST", r"/api/changes/{id:\d+}/publish", faq_api.publish, ANSWERS_REVIEW, api=True),
    Route("POST", r"/api/changes/{id:\d+}/withdraw", faq_api.withdraw, ANSWERS_EDIT, api=True),
    Route("GET", "/api/versions", faq_api.versions, ANSWERS, api=True),
    Route("POST", r"/api/versions/{version:\d+}/rollback", faq_api.roll_back, ANSWERS_REVIEW, api=True),
)

ROUTES = (
    Route("GET", "/", _page("home"), None, api=False),
    Route("GET", "/search", _page("search"), SEARCH, api=False),
    Route("GET", "/status", _page("status"), STATUS, api=False),
    Route("GET", "/queue", _page("queue"), HANDOFF, api=False),
    Route("GET", r"/handoff/{id:\d+}", _page("handoff"), HANDOFF, api=False),
    Route("GET", "/report", _page("report"), REPORT, api=False),
    Route("GET", "/audit", _page("audit"), AUDIT, api=False),
    Route("POST", "/logout", logout, None, api=False),
    Route("GET", "/api/me", api.me, None, api=True),
    Route("GET", "/api/search", api.search, SEARCH, api=True),
    Route("POST", "/api/status", api.status, STATUS, api=True),
    Route("GET", "/api/queue", api.queue, HANDOFF, api=True),
    Route("GET", r"/api/handoffs/{id:\d+}", api.handoff, HANDOFF, api=True),
    Route("POST", r"/api/handoffs/{id:\d+}/take", api.take, HANDOFF, api=True),
    Route("POST", r"/api/handoffs/{id:\d+}/reply", api.reply, HANDOFF, api=True),
    Route("POST", r"/api/handoffs/{id:\d+}/handback", api.hand_back, HANDOFF, api=True),
    Route("GET", "/api/report", api.report, REPORT, api=True),
    Route("GET", "/api/audit", api.audit_log, AUDIT, api=True),
    *ANSWER_ROUTES,
)


def add_console(app: web.Application, settings: ConsoleSettings, rasa: Optional[RasaClient] = None) -> None:
    """Serve the console at /staff/ from ``app`` (the web process's application).

    Plain routes under the prefix rather than a sub-application: with the pinned aiohttp 3.9 and
    yarl 1.25, resolving a sub-application reads ``request.url``, which fails for any Host
    header with a port (every request to :8080).
    """
    app[SETTINGS] = settings
    app[api.RASA] = rasa or RasaClient(settings.rasa_api_url, settings.rasa_api_token)
    if not settings.rasa_api_token:
        logger.warning("未设置 RASA_API_TOKEN：控制台调用 Rasa 接口时不带令牌（make run 会自动设置）")

    async def close_rasa(app: web.Application) -> None:
        await app[api.RASA].close()

    async def to_console(request: web.Request) -> web.Response:
        return _redirect(PREFIX + "/", 301)

    app.on_cleanup.append(close_rasa)
    app.middlewares.append(console_headers)
    app.router.add_get(PREFIX, to_console)
    app.router.add_get(LOGIN_PATH, login_page)
    app.router.add_post(LOGIN_PATH, login)
    for route in ROUTES:
        app.router.add_route(route.method, PREFIX + route.path, guard(route))
    app.router.add_static(PREFIX + "/static/", STATIC, show_index=False, follow_symlinks=False)
