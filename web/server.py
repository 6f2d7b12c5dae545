"""Serve the resident web chat page (webchat/dist, built by make webchat) next to Rasa, and the
hotline staff console at /staff/ (console/app.py).

index.html is filled in per request with the Rasa socket URL and the matching CSP connect-src:
by default the host the page was opened on, at Rasa's port, so the same page works on
localhost, on a LAN address and with the free ports the tests pick.

Requests with a compressed body (``Content-Encoding`` other than identity) are refused with 415
before anything reads them: aiohttp 3.9.5, which Rasa pins, inflates request bodies without a
limit (CVE-2025-69223, a zip bomb), and neither the page nor the console ever sends one.
"""

from __future__ import annotations

import argparse
import html
import ipaddress
import logging
import re
from pathlib import Path
from typing import Optional
from urllib.parse import urlsplit

from aiohttp import web

from console.app import add_console
from platform_core.paths import WEBCHAT_DIST
from platform_core.settings import ConsoleSettings, get_settings, startup_refusal

logger = logging.getLogger(__name__)

DIST = WEBCHAT_DIST
HOSTNAME = re.compile(r"^[A-Za-z0-9.-]{1,253}$")
NOT_BUILT = "网页聊天尚未构建，请先运行 make webchat。"
HEADERS = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"}


def _hostname(request: web.Request) -> str:
    """The Host the page was opened on, if it is a plain name or IP address; else localhost."""
    try:
        host = urlsplit(f"//{request.host}").hostname or ""
        address = ipaddress.ip_address(host)
        return f"[{address}]" if address.version == 6 else str(address)
    except ValueError:
        return host if HOSTNAME.match(host) else "localhost"


def socket_origins(socket_url: str) -> str:
    """CSP sources for a socket.io URL: its http(s) origin and the matching ws(s) one."""
    parts = urlsplit(socket_url)
    secure = parts.scheme == "https"
    return f"{parts.scheme}://{parts.netloc} {'wss' if secure else 'ws'}://{parts.netloc}"


def render_index(template: str, socket_url: str) -> str:
    values = {"{{SOCKET_URL}}": socket_url, "{{CONNECT_SRC}}": socket_origins(socket_url)}
    for placeholder, value in values.items():
        template = template.replace(placeholder, html.escape(value))
    return template


def make_app(
    dist: Path, rasa_port: int, socket_url: Optional[str] = None, console: Optional[ConsoleSettings] = None
) -> web.Application:
    async def index(request: web.Request) -> web.Response:
        page = dist / "index.html"
        if not page.is_file():
            return web.Response(text=NOT_BUILT, status=503, headers=HEADERS)
        url = socket_url or f"{request.scheme}://{_hostname(request)}:{rasa_port}"
        return web.Response(
            text=render_index(page.read_text(encoding="utf-8"), url),
            content_type="text/html",
            headers={**HEADERS, "Cache-Control": "no-store"},
        )

    @web.middleware
    async def no_compressed_bodies(request: web.Request, handler):
        encoding = request.headers.get("Content-Encoding", "identity").strip().lower()
        if encoding not in ("", "identity"):
            return web.json_response({"error": "不接受压缩的请求内容"}, status=415, headers=HEADERS)
        return await handler(request)

    @web.middleware
    async def security_headers(request: web.Request, handler):
        response = await handler(request)
        for name, value in HEADERS.items():  # the console sets its own, stricter ones
            response.headers.setdefault(name, value)
        return response

    app = web.Application(middlewares=[no_compressed_bodies, security_headers])
    app.router.add_get("/", index)
    app.router.add_get("/index.html", index)
    # Before the catch-all static route below, which would otherwise answer for /staff/ too.
    add_console(app, console or get_settings().console_for(rasa_port))
    if dist.is_dir():
        app.router.add_static("/", dist, show_index=False, follow_symlinks=False)
    else:
        logger.warning(NOT_BUILT)
    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument(
        "--host", default=None, help="interface to listen on (default: all; the scaled profile: loopback)"
    )
    parser.add_argument("--rasa-port", type=int, default=5005)
    parser.add_argument("--socket-url", default=None, help="Rasa socket URL if not this host at --rasa-port")
    parser.add_argument("--dist", type=Path, default=DIST)
    args = parser.parse_args()
    refusal = startup_refusal()  # the console looks up applications for staff with the status secret
    if refusal:
        raise SystemExit(refusal)
    logging.basicConfig(level=logging.INFO)
    web.run_app(
        make_app(args.dist, args.rasa_port, args.socket_url),
        host=args.host,
        port=args.port,
        print=None,
        access_log=None,
    )


if __name__ == "__main__":
    main()
