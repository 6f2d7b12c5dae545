"""The action server: rasa-sdk's app, reachable only by our Rasa (``python -m actions.server``).

``rasa run actions`` listens on every interface and runs any action for anyone who reaches the
port: a stranger could POST ``/webhook`` and drive the status lookup or open handoffs. Here, with
rasa-sdk's own app, routes and options otherwise unchanged:

- the server listens on ``ACTION_SERVER_HOST``, loopback unless set (a container sets 0.0.0.0
  behind its network policy);
- every request but ``GET /health`` must carry the shared secret ``ACTION_SERVER_TOKEN`` in the
  ``X-Action-Token`` header (Rasa sends it: ``headers`` in the action endpoint of endpoints.yml),
  compared in constant time; without it, 401 before any action runs. No secret, no start;
- a body over ``MAX_BODY_BYTES`` is refused (413) as it arrives, and so is a deflate body that
  would inflate beyond it (rasa-sdk inflates ``Content-Encoding: deflate`` with no limit, a
  compression bomb); other content encodings, which rasa-sdk does not understand, get 415;
- an action that raises never reaches rasa-sdk's handler, which would answer 500 with the tracker
  in the body for Rasa to log: the resident gets 系统繁忙 instead, and the log no personal data
  (actions/failsafe.py).

launcher/embedded.py (make run) makes a new secret per start and passes it to Rasa and here in the environment, never
on a command line (``ps`` shows command lines to every user of the host).
"""

from __future__ import annotations

import hmac
import logging
import sys
import zlib
from typing import Optional, Sequence

from rasa_sdk import utils
from rasa_sdk.constants import APPLICATION_ROOT_LOGGER_NAME
from rasa_sdk.endpoint import create_app, create_argument_parser, create_ssl_context
from rasa_sdk.plugin import plugin_manager
from sanic import Sanic, response
from sanic.exceptions import PayloadTooLarge
from sanic.request import Request
from sanic.response import HTTPResponse

from actions import failsafe
from platform_core.settings import ConsoleSettingsError, Settings, SettingsError, get_settings, startup_refusal

TOKEN_ENV, HOST_ENV = "ACTION_SERVER_TOKEN", "ACTION_SERVER_HOST"  # read into platform_core.settings
TOKEN_HEADER = "X-Action-Token"
MIN_TOKEN_CHARS = 16
# The largest call is the tracker of a long session (up to 15 KB of events a turn, the answer texts
# escaped as JSON): the same 20 MB the scaled profile's nginx lets through to the action servers
# (deploy/nginx.conf.template). rasa-sdk's Sanic would otherwise take 100 MB.
MAX_BODY_BYTES = 20 * 1024 * 1024
OPEN_PATHS = {"/health"}  # liveness probes; says only "ok"

logger = logging.getLogger(__name__)


class SetupError(RuntimeError):
    """The server cannot start safely; the message says what to set."""


def server_token(settings: Optional[Settings] = None) -> str:
    """The shared secret (``ACTION_SERVER_TOKEN``), or SetupError: the server never runs without one."""
    token = (settings or get_settings()).action_server_token
    if len(token) < MIN_TOKEN_CHARS:
        raise SetupError(
            f"动作服务器未启动：请在环境变量 {TOKEN_ENV} 中设置至少 {MIN_TOKEN_CHARS} 个字符的共享密钥"
            f"（与 Rasa 的 endpoints.yml 相同；make run 会自动生成）"
        )
    return token


def inflates_within(body: bytes, limit: int) -> Optional[bool]:
    """Whether a zlib (``deflate``) body inflates to at most ``limit`` bytes; None if it is not zlib.
    Never inflates more than ``limit + 1`` bytes."""
    inflater = zlib.decompressobj()
    try:
        inflated = inflater.decompress(body, limit + 1)
    except zlib.error:
        return None
    return len(inflated) <= limit and not inflater.unconsumed_tail


def refusal(request: Request, token: bytes) -> Optional[HTTPResponse]:
    """The response refusing ``request``, or None to let rasa-sdk handle it."""
    if request.path in OPEN_PATHS and request.method in ("GET", "HEAD"):
        return None
    given = request.headers.get(TOKEN_HEADER, "").encode()
    if not hmac.compare_digest(given, token):
        return response.json({"error": "unauthorized"}, status=401)
    encoding = request.headers.get("Content-Encoding", "identity").strip().lower()
    if encoding == "deflate":
        fits = inflates_within(request.body or b"", MAX_BODY_BYTES)
        if fits is None:
            return response.json({"error": "invalid deflate body"}, status=400)
        if not fits:
            return response.json({"error": "body too large"}, status=413)
    elif encoding not in ("", "identity"):
        return response.json({"error": "unsupported content encoding"}, status=415)
    return None


def protect(app: Sanic, token: str) -> Sanic:
    """Add the secret check and the body limits to rasa-sdk's ``app``."""
    expected = token.encode()
    app.config.REQUEST_MAX_SIZE = MAX_BODY_BYTES

    @app.middleware("request")
    async def check(request: Request) -> Optional[HTTPResponse]:
        return refusal(request, expected)

    # Before rasa-sdk's catch-all handler, which would answer 500 and log the request.
    @app.exception(PayloadTooLarge)
    async def too_large(_request: Request, _error: Exception) -> HTTPResponse:
        return response.json({"error": "body too large"}, status=413)

    return app


def main(argv: Optional[Sequence[str]] = None) -> int:
    """rasa-sdk's command line (``--actions``, ``--port``, logging, TLS), served as described above."""
    args = create_argument_parser().parse_args(argv)
    refusal = startup_refusal()  # production with a default secret: not at the first lookup, now
    if refusal:
        print(refusal, file=sys.stderr)
        return 2
    try:
        settings = get_settings()
        token = server_token(settings)
    except (SetupError, SettingsError, ConsoleSettingsError) as error:
        print(error, file=sys.stderr)
        return 2
    # As rasa_sdk.__main__ does before it runs the server.
    logging.getLogger("matplotlib").setLevel(logging.WARN)
    utils.configure_colored_logging(args.loglevel)
    utils.configure_file_logging(
        logging.getLogger(APPLICATION_ROOT_LOGGER_NAME), args.log_file, args.loglevel, args.logging_config_file
    )
    utils.update_sanic_log_level()
    app = protect(create_app(args.actions, cors_origins=args.cors, auto_reload=args.auto_reload), token)
    failsafe.install(app)
    plugin_manager().hook.attach_sanic_app_extensions(app=app)
    ssl_context = create_ssl_context(args.ssl_certificate, args.ssl_keyfile, args.ssl_password)
    host = settings.action_server_host
    logger.info("动作服务器监听 %s:%s（需共享密钥）", host, args.port)
    app.run(host, args.port, ssl=ssl_context, workers=utils.number_of_sanic_workers())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
