"""make run-scaled: the assistant as several processes behind nginx, on PostgreSQL and Redis.

Two Rasa servers (same model, same API token) and two action servers behind nginx on loopback;
conversations in PostgreSQL (Rasa's SQLTrackerStore), the per-conversation ticket lock in Redis,
the status and console stores in PostgreSQL too, each in a database of its own. It waits until
every process answers its health probe, then keeps them running: a process that dies is logged
as 告警 and restarted (with back-off, launcher/supervisor.py ``SCALED``), while the others keep
serving. Ctrl-C (or SIGTERM) stops everything. Logs: var/scaled/logs/<name>.log. See deploy/README.md.
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
from pathlib import Path

from deploy.config import ATOMIC_LOCK_STORE, DEFAULT_DB_PREFIX, REPO, Address, RedisTarget, ScaledConfig
from deploy.stack import ScaledStack
from launcher import startup
from launcher.supervisor import stop_on_signals

STARTUP_SECONDS = 420  # two Rasa instances loading the model at once on a small machine


def _ports(text: str) -> list:
    return [int(port) for port in text.split(",") if port.strip()]


def parse_args(argv=None) -> argparse.Namespace:
    env = os.environ
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", required=True)
    parser.add_argument(
        "--pg-url",
        default=env.get("PG_URL", "postgresql://postgres@127.0.0.1:5432/test"),
        help="PostgreSQL server (any existing database on it); the stores get their own databases",
    )
    parser.add_argument(
        "--db-prefix",
        default=env.get("SCALED_DB_PREFIX", DEFAULT_DB_PREFIX),
        help="databases <prefix>_tracker, <prefix>_status, <prefix>_console",
    )
    parser.add_argument("--redis-url", default=env.get("REDIS_URL", "redis://127.0.0.1:6379/5"))
    parser.add_argument("--host", default=env.get("SCALED_HOST", "127.0.0.1"), help="nginx's public interface")
    parser.add_argument("--port", type=int, default=8088, help="nginx's public port")
    parser.add_argument("--internal-port", type=int, default=8089, help="nginx on loopback: action servers, Rasa API")
    parser.add_argument(
        "--staff-host",
        default=env.get("SCALED_STAFF_HOST", "127.0.0.1"),
        help="nginx's staff console interface (an office network's address; never the public one)",
    )
    parser.add_argument("--staff-port", type=int, default=8090, help="nginx's staff console port")
    parser.add_argument("--rasa-ports", type=_ports, default=[5105, 5106])
    parser.add_argument("--action-ports", type=_ports, default=[5155, 5156])
    parser.add_argument("--web-port", type=int, default=8087, help="0: no chat page / staff console")
    parser.add_argument(
        "--action-timeout",
        type=int,
        default=int(env.get("ACTION_TIMEOUT", 10)),
        help="seconds nginx waits for an action server before Rasa gets an error",
    )
    parser.add_argument(
        "--lock-store",
        default=env.get("LOCK_STORE_TYPE", ATOMIC_LOCK_STORE),
        help="lock store type in endpoints (redis = Rasa's own, racy across instances)",
    )
    parser.add_argument("--work", type=Path, default=REPO / "var" / "scaled")
    return parser.parse_args(argv)


def config_from_args(args: argparse.Namespace) -> ScaledConfig:
    return ScaledConfig(
        model=args.model,
        pg_url=args.pg_url,
        db_prefix=args.db_prefix,
        redis=RedisTarget.parse(args.redis_url),
        public=Address(args.host, args.port),
        internal=Address("127.0.0.1", args.internal_port),
        staff=Address(args.staff_host, args.staff_port),
        rasa_ports=args.rasa_ports,
        action_ports=args.action_ports,
        web_port=args.web_port or None,
        work=args.work,
        api_token=os.environ.get("RASA_API_TOKEN") or secrets.token_urlsafe(32),
        action_token=os.environ.get("ACTION_SERVER_TOKEN") or secrets.token_urlsafe(32),
        lock_store_type=args.lock_store,
        action_timeout_s=args.action_timeout,
        publish_rest=rest_published(os.environ),
    )


def rest_published(environ) -> bool:
    """REST is published for configured integrations; outside production mode (drills), always."""
    production = (environ.get("APP_MODE") or "").strip().lower() == "production"
    return not production or bool(environ.get("REST_INTEGRATIONS") or environ.get("REST_INTEGRATIONS_FILE"))


def main(argv=None) -> int:
    args = parse_args(argv)
    refusal = startup.refusal()
    if refusal:
        print(refusal, file=sys.stderr)
        return 2
    if not startup.use_published_knowledge_base():
        return 1
    config = config_from_args(args)
    stack = ScaledStack(config, echo=True)
    stop_on_signals()
    try:
        stack.prepare()
    except RuntimeError as error:  # nginx's configuration, a database that cannot be created
        print(f"启动失败：{error}", file=sys.stderr, flush=True)
        return 1
    print(
        f"扩展部署启动中（{len(config.rasa_ports)} 个 Rasa，{len(config.action_ports)} 个动作服务器），"
        f"日志在 {stack.logs_dir}",
        flush=True,
    )
    ready = f"已就绪：网页 {config.public_url}/ ，REST {config.public_url}/webhooks/rest/webhook（Ctrl-C 停止）"
    # Restarts whatever dies, with back-off, until interrupted; stops everything at the end.
    return stack.run(ready_within=STARTUP_SECONDS, when_ready=ready)


if __name__ == "__main__":
    raise SystemExit(main())
