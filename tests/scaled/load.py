"""Load with nothing lost: many residents at once against the scaled profile, then proof in PostgreSQL.

    python -m tests.scaled.load                       # 200 residents x 20 turns, at most 15 minutes
    python -m tests.scaled.load --residents 20 --turns 5 --deadline 120

Starts its own scaled stack (deploy/stack.py: nginx, two Rasa instances, two action servers) on
private databases ``shaoguan_scaled_load_*`` (dropped afterwards) and Redis database 6 (flushed).
Every resident holds one conversation of ``--turns`` messages, one request in flight at a time,
played by bench.load (the benchmark's bounded aiohttp client, used as it is). Each message sent is
recorded on the way out; afterwards every conversation's user events are read from the tracker
database and must be exactly the messages sent, in order: nothing lost, nothing doubled. Prints
the figures and writes them to var/scaled-load/result.json. Not part of any make target's gate.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import secrets
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Dict, List, Tuple

from sqlalchemy import create_engine, text

import bench.load
from bench.scripts import ELIGIBILITY_SCRIPTS, Script, full_set
from deploy.config import REPO, Address, RedisTarget, ScaledConfig
from deploy.migrate import migrate_scaled
from deploy.stack import ScaledStack
from platform_core.db import dispose_engines
from platform_core.settings import Settings
from policy_kb.text import clean_message
from status_store import protect_message
from status_store.importer import import_file
from tests.scaled.drills.drill import drop_databases, free_port
from tests.scaled.services import PG_URL, REDIS_URL

PREFIX = "shaoguan_scaled_load"
SECRET = "load-status-secret-not-for-production-0123456789"
APPLICATIONS = REPO / "tests" / "status_store" / "fixtures" / "applications.csv"
MODEL = REPO / "models" / "shaoguan-hukou.tar.gz"


def conversations(turns: int) -> List[Script]:
    """The benchmark's scripts back to back, cut at ``turns``: one eligibility check first (its
    answers stay in the conversation, so a second one would rightly skip questions), then FAQ
    and status lookups (which forget their credentials) over and over, from different starts."""
    repeatable = [script for script in full_set() if script.kind != "eligibility"]
    result = []
    for number, eligibility in enumerate(ELIGIBILITY_SCRIPTS * len(repeatable)):
        played, index = list(eligibility.turns), number
        while len(played) < turns:
            played.extend(repeatable[index % len(repeatable)].turns)
            index += 1
        result.append(Script(f"load-{number}", "mixed", tuple(played[:turns])))
    return result


class Recorder:
    """Wraps bench.load's single POST to note every message as it goes out."""

    def __init__(self) -> None:
        self.sent: Dict[str, List[str]] = defaultdict(list)
        self._post = bench.load._post

    async def __call__(self, session, url, sender, message):
        self.sent[sender].append(message)
        return await self._post(session, url, sender, message)


def stored_user_texts(config: ScaledConfig, prefix: str) -> Dict[str, List[str]]:
    engine = create_engine(config.store_url("tracker", direct=True), future=True)
    stored: Dict[str, List[str]] = defaultdict(list)
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT sender_id, data FROM events WHERE type_name = 'user' AND sender_id LIKE :p " "ORDER BY id"),
            {"p": f"{prefix}-%"},
        )
        for sender, data in rows:
            stored[sender].append(json.loads(data)["text"])
    engine.dispose()
    return stored


def compare(sent: Dict[str, List[str]], stored: Dict[str, List[str]]) -> Tuple[int, int, List[dict]]:
    """(messages missing, messages extra, first differences). Sent text is compared as the channel
    guard stores it (ID digits replaced)."""
    missing = extra = 0
    differences = []
    for sender in sorted(set(sent) | set(stored)):
        expected = [protect_message(clean_message(message), SECRET.encode())[0] for message in sent.get(sender, [])]
        got = stored.get(sender, [])
        missing += max(0, len(expected) - len(got))
        extra += max(0, len(got) - len(expected))
        if expected != got and len(differences) < 5:
            differences.append({"sender": sender, "sent": len(expected), "stored": len(got)})
    return missing, extra, differences


def build(work: Path) -> ScaledConfig:
    return ScaledConfig(
        model=str(MODEL),
        pg_url=PG_URL,
        db_prefix=PREFIX,
        redis=RedisTarget.parse(REDIS_URL),
        public=Address("127.0.0.1", free_port()),
        internal=Address("127.0.0.1", free_port()),
        rasa_ports=[free_port(), free_port()],
        action_ports=[free_port(), free_port()],
        web_port=None,
        work=work,
        api_token=secrets.token_urlsafe(16),
        extra_env={"STATUS_HMAC_SECRET": SECRET},
    )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--residents", type=int, default=200)
    parser.add_argument("--turns", type=int, default=20)
    parser.add_argument("--deadline", type=float, default=900, help="seconds; no new message after it")
    parser.add_argument("--work", type=Path, default=REPO / "var" / "scaled-load")
    args = parser.parse_args(argv)
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    drop_databases(PG_URL, PREFIX)
    config = build(args.work)
    stack = ScaledStack(config)
    try:
        assert migrate_scaled(PG_URL, PREFIX) == 0  # make migrate-scaled: the stack itself never migrates
        stack.prepare()
        status_url = config.store_url("status", direct=True).render_as_string(hide_password=False)
        import_file(APPLICATIONS, settings=Settings(status_db_url=status_url, hmac_secret=SECRET.encode()))
        dispose_engines()
        stack.start()
        stack.wait_until_ready(600)
        recorder = Recorder()
        original, bench.load._post = bench.load._post, recorder
        started = time.monotonic()
        result = asyncio.run(
            bench.load.run_level(
                f"{config.public_url}/webhooks/rest/webhook",
                conversations(args.turns),
                args.residents,
                duration_s=args.deadline,
                conversations_each=1,
                prefix="load",
            )
        )
        elapsed = time.monotonic() - started
        bench.load._post = original
        missing, extra, differences = compare(recorder.sent, stored_user_texts(config, "load"))
        report = {
            **result.summary(),
            "turns": args.turns,
            "wall_s": round(elapsed, 1),
            "messages_sent": sum(map(len, recorder.sent.values())),
            "missing_user_events": missing,
            "extra_user_events": extra,
            "differences": differences,
        }
        args.work.mkdir(parents=True, exist_ok=True)
        (args.work / "result.json").write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
        print(json.dumps(report, ensure_ascii=False, indent=2))
        return 0 if missing == extra == 0 else 1
    finally:
        stack.stop()
        drop_databases(PG_URL, PREFIX)
        redis.Redis.from_url(REDIS_URL).flushdb()


if __name__ == "__main__":
    sys.exit(main())
