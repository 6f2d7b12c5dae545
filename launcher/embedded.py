"""make run: the action server, the Rasa server and the web page together, in the foreground.

A part that crashes is started again with back-off, and make run gives up (and stops everything)
only when one part keeps crashing (launcher/supervisor.py, ``EMBEDDED``). While the action server
is down, Rasa's channels answer residents 系统繁忙 with the hotline (bot/channels/guard.py).
Ctrl-C (or SIGTERM) stops all three.

With APP_MODE=production and a default or missing secret nothing starts (platform_core.settings).
Secrets reach the children in the environment only, never on a command line (``ps`` shows those to
every user of the host): bot.rasa_main reads the API token from RASA_API_TOKEN.
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
from typing import List

from launcher import commands, startup
from launcher.supervisor import EMBEDDED, Part, Supervisor, stop_on_signals

# The channels in bot/credentials.yml read these; Rasa refuses to start if one is unset, and an
# empty WeChat token simply turns that channel off (503).
EMBEDDED_DEFAULTS = {
    "TRACKER_DB_DIALECT": "sqlite",
    "TRACKER_DB": "var/tracker.db",
    "WECHAT_TOKEN": "",
    "WECHAT_APP_ID": "",
    "WECHAT_APP_SECRET": "",
    "WECHAT_AES_KEY": "",
    "SOCKETIO_REDIS_URL": "",
}


def parts(args: argparse.Namespace) -> List[Part]:
    """The three parts of make run, with the environment main() prepared."""
    # The chat page's origin may call Rasa's socketio endpoint; space-separated for several.
    origins = os.environ.get("WEB_ORIGIN", f"http://localhost:{args.web_port}").split()
    # Rasa's HTTP API and channels are bound to loopback by default; a reverse proxy publishes only the channels.
    rasa = commands.rasa(args.model, args.rasa_port, interface=os.environ["RASA_INTERFACE"], cors=origins)
    web = commands.web_page(args.web_port, args.rasa_port, socket_url=os.environ.get("WEBCHAT_SOCKET_URL"))
    return [
        Part("动作服务器", commands.action_server(args.action_port)),
        Part("Rasa 服务", rasa),
        Part("网页服务", web),
    ]


def prepare_environment(args: argparse.Namespace) -> None:
    """Embedded defaults (SQLite, loopback, a new API token and action-server secret per start
    unless given), in this process's environment, which every part inherits."""
    os.makedirs("var", exist_ok=True)
    for name, value in EMBEDDED_DEFAULTS.items():
        os.environ.setdefault(name, value)
    os.environ.setdefault("ACTION_ENDPOINT_URL", f"http://127.0.0.1:{args.action_port}/webhook")
    os.environ.setdefault("RASA_INTERFACE", "127.0.0.1")
    os.environ.setdefault("RASA_API_TOKEN", secrets.token_urlsafe(32))
    # Rasa sends it (bot/endpoints.yml) and the action server checks it (actions/server.py).
    if not os.environ.get("ACTION_SERVER_TOKEN"):
        os.environ["ACTION_SERVER_TOKEN"] = secrets.token_urlsafe(32)
    os.environ.setdefault("RASA_API_URL", f"http://127.0.0.1:{args.rasa_port}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", required=True)
    parser.add_argument("--rasa-port", type=int, default=5005)
    parser.add_argument("--action-port", type=int, default=5055)
    parser.add_argument("--web-port", type=int, default=8080)
    args = parser.parse_args()
    refusal = startup.refusal()
    if refusal:
        print(refusal, file=sys.stderr)
        return 2
    prepare_environment(args)
    stop_on_signals()
    if not startup.use_published_knowledge_base():
        return 1
    supervisor = Supervisor(parts(args), EMBEDDED)
    print(
        f"韶关户籍政策助手启动中：网页 http://localhost:{args.web_port}/ ，"
        f"REST http://localhost:{args.rasa_port}/webhooks/rest/webhook（Ctrl-C 停止）",
        flush=True,
    )
    return supervisor.run()


if __name__ == "__main__":
    raise SystemExit(main())
