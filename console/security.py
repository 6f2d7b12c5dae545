"""HTTP-level protection for the console: headers, the session cookie, origin and CSRF checks."""

from __future__ import annotations

import hmac
from typing import Optional, Set
from urllib.parse import urlsplit

from aiohttp import web

from platform_core.settings import ConsoleSettings

COOKIE = "sg_staff_session"
COOKIE_PATH = "/staff"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
# Background refreshes (queue, transcript) send this: they must not keep an idle session alive.
POLL_HEADER = "X-Console-Poll"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
    "Pragma": "no-cache",
    "X-Content-Type-Options": "nosniff",
    # Not no-referrer: with it, Chromium sends "Origin: null" on our own form posts and fetches,
    # and the origin check could not tell them from another site's.
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}


@web.middleware
async def console_headers(request: web.Request, handler):
    """The console's headers on everything under /staff (the chat page keeps its own policy)."""
    if request.path != "/staff" and not request.path.startswith("/staff/"):
        return await handler(request)
    try:
        response = await handler(request)
    except web.HTTPException as error:  # aiohttp's own 404/405 carry the headers too
        error.headers.update(HEADERS)
        raise
    response.headers.update(HEADERS)
    return response


def _origin(url: str) -> Optional[str]:
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}".lower()


def allowed_origins(request: web.Request, settings: ConsoleSettings) -> Set[str]:
    """The origin this request was addressed to, plus any configured for a proxy in front."""
    return {f"{request.scheme}://{request.host}".lower(), *(o.rstrip("/").lower() for o in settings.extra_origins)}


def origin_ok(request: web.Request, settings: ConsoleSettings) -> bool:
    """A state-changing request must say where it comes from (Origin, else Referer) and be ours."""
    origin = request.headers.get("Origin")
    if origin is None or origin == "null":
        origin = _origin(request.headers.get("Referer", "")) if origin is None else None
    return origin is not None and origin.lower() in allowed_origins(request, settings)


async def csrf_ok(request: web.Request, expected: str) -> bool:
    supplied = request.headers.get(CSRF_HEADER)
    if supplied is None and request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        supplied = (await request.post()).get(CSRF_FIELD)
    return isinstance(supplied, str) and hmac.compare_digest(supplied.encode(), expected.encode())


def client_address(request: web.Request, settings: ConsoleSettings) -> str:
    """Who is signing in: the peer, or, when the peer is a trusted proxy, the address that proxy
    appended last to X-Forwarded-For (earlier entries are whatever the client claimed)."""
    peer = request.remote or ""
    if peer in settings.trusted_proxies:
        forwarded = request.headers.get("X-Forwarded-For", "").split(",")[-1].strip()
        if forwarded:
            return forwarded
    return peer


def set_session_cookie(
    response: web.StreamResponse, request: web.Request, token: str, settings: ConsoleSettings
) -> None:
    response.set_cookie(
        COOKIE,
        token,
        path=COOKIE_PATH,
        httponly=True,
        samesite="Strict",
        secure=request.secure or settings.secure_cookies,
    )


def clear_session_cookie(response: web.StreamResponse) -> None:
    response.del_cookie(COOKIE, path=COOKIE_PATH)
