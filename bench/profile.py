"""Where one message's time goes: the Rasa side in-process, then the actions replayed in-process.

    python -m bench.profile [--rounds 3]     # writes reports/profile.md, profile_*.prof

1. A real action server is started (``actions.server``, as make run starts it; private status
   store with the test export). Our model is loaded in this process as an Agent with a SQLite tracker store, and the
   benchmark scripts are sent through the REST channel's handler and the channel guard, one
   message at a time. Stage timers (bench.stages) charge each moment to the innermost stage:
   guard, tracker store, NLU graph nodes, policy graph nodes, building the action request, the
   action server round trip, checking its response.
2. Every request sent to the action server is recorded and replayed through rasa-sdk's
   ActionExecutor in this process, with stages for the knowledge-base freshness check, BM25
   search, the eligibility engine, the status database and answer composition.
3. One more round of each under cProfile; the top functions go into the report and the full
   profiles into reports/profile_rasa.prof and reports/profile_actions.prof (e.g. for snakeviz).
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import cProfile
import io
import json
import logging
import os
import pstats
import secrets
import shutil
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Dict, List, Sequence

import aiohttp

from bench import procs
from bench.scripts import REPO, Script, check, full_set
from bench.stages import Stages

STATUS_SECRET = "bench-status-secret-not-for-production-0123456789"
TOP_FUNCTIONS = 25


def _node_label(stages: Stages):
    def label(node, *_args, **_kwargs) -> str:
        side = "NLU" if stages.inside("NLU") else "policies" if stages.inside("policies") else "graph"
        return f"{side} › {getattr(node, '_node_name', '?')}"

    return label


def instrument_rasa(stages: Stages, sent: List[dict]) -> None:
    """Stage timers on the Rasa side; ``sent`` collects every action server request body."""
    from bot.rasa_main import patch_rasa

    patch_rasa()  # measure the Rasa that make run runs, not the stock one
    from rasa.core.actions.action import ActionExtractSlots, RemoteAction
    from rasa.core.processor import MessageProcessor
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.engine.graph import GraphNode
    from rasa.shared.core import events
    from rasa.utils.endpoints import EndpointConfig

    import bot.channels.guard as guard
    import bot.channels.rest as rest

    stages.wrap(rest, "handle", "REST channel + guard (other)")
    stages.wrap(guard, "protect", "guard: ID masking (HMAC)")
    stages.wrap(MessageProcessor, "handle_message", "Rasa processor (other)")
    stages.wrap(MessageProcessor, "parse_message", "NLU (other)")
    stages.wrap(MessageProcessor, "_predict_next_with_tracker", "policies (other)")
    stages.wrap(GraphNode, "__call__", _node_label(stages))
    for method in ("retrieve", "retrieve_full_tracker", "save"):
        stages.wrap(SQLTrackerStore, method, "tracker store (SQLite, events (de)serialised)")
    stages.wrap(ActionExtractSlots, "run", "slot extraction (other)")
    stages.wrap(RemoteAction, "_action_call_format", "action request: tracker state + domain as dict")
    stages.wrap(RemoteAction, "_validate_action_result", "action response: jsonschema validation")
    stages.wrap(events, "deserialise_events", "action response: events deserialised")
    original_request = EndpointConfig.request

    async def recording_request(self, *args, **kwargs):
        if isinstance(kwargs.get("json"), dict) and "next_action" in kwargs["json"]:
            # No copy here (a deep copy of the 12-15 KB body sat inside the timed round trip): the
            # body is built afresh for each call and never changed after; the replay copies it.
            sent.append(kwargs["json"])
        return await original_request(self, *args, **kwargs)

    EndpointConfig.request = recording_request
    stages.wrap(EndpointConfig, "request", "action server round trip (HTTP + JSON + action code)")


def instrument_actions(stages: Stages) -> None:
    """Stage timers inside the actions (replayed in this process)."""
    from rasa_sdk.executor import ActionExecutor

    import actions.eligibility as eligibility_actions
    import policy_kb.answers as answers
    import policy_kb.eligibility.dialogue as dialogue
    import status_store.lookup as lookup
    import status_store.throttle as throttle
    from policy_kb.live import LiveKnowledgeBase
    from policy_kb.search import FaqIndex

    stages.wrap(ActionExecutor, "run", "rasa-sdk executor: tracker from JSON, events, response (other)")
    stages.wrap(LiveKnowledgeBase, "get", "KB freshness check (stat of every data file)")
    stages.wrap(LiveKnowledgeBase, "_reload", "KB reload + index rebuild")
    stages.wrap(FaqIndex, "search", "FAQ search (jieba + BM25)")
    for owner in (eligibility_actions, dialogue):
        stages.wrap(owner, "evaluate", "eligibility engine")
    stages.wrap(eligibility_actions, "take_turn", "eligibility engine")
    stages.wrap(lookup, "throttled_lookup", "status store (SQLite, HMAC)")
    stages.wrap(throttle.LookupThrottle, "is_locked", "status store (SQLite, HMAC)")
    for name in (
        "faq_reply",
        "message",
        "fallback_reply",
        "not_covered_reply",
        "not_covered_topics",
        "choose_faq",
        "asks_about_other_city",
        "mentions_rural_land",
        "low_confidence_reply",
    ):
        stages.wrap(answers, name, "answer composition")


def _configure_logging() -> None:
    """Log as `rasa run` does by default (INFO), or debug output would be timed as work."""
    from rasa.utils.common import configure_logging_and_warnings
    from rasa.utils.log_utils import configure_structlog

    configure_logging_and_warnings(None, warn_only_once=True, filter_repeated_logs=True)
    configure_structlog(None)


async def _load_agent(model: Path, action_url: str, tracker_db: Path):
    """The agent with bot/endpoints.yml as make run's Rasa reads it (selective domain included), pointed
    at the profile's action server and a private SQLite tracker store."""
    from rasa.core.agent import load_agent
    from rasa.core.utils import AvailableEndpoints

    os.environ.update(ACTION_ENDPOINT_URL=action_url, TRACKER_DB_DIALECT="sqlite", TRACKER_DB=str(tracker_db))
    endpoints = AvailableEndpoints.read_endpoints(str(REPO / "bot" / "endpoints.yml"))
    return await load_agent(model_path=str(model), endpoints=endpoints)


async def _play(agent, scripts: Sequence[Script], prefix: str, per_kind: Dict[str, List[float]]) -> Dict[str, int]:
    """Every script once through the REST handler and guard; latencies by script kind."""
    from bot.channels.guard import guarded
    from bot.channels.inbound import parse_rest_body
    from bot.channels.rest import handle

    on_message = guarded(agent.handle_message)
    outcomes: Dict[str, int] = defaultdict(int)
    for number, script in enumerate(scripts):
        sender = f"{prefix}-{number}"
        for turn in script.turns:
            body = json.dumps({"sender": sender, "message": turn.text}).encode()
            started = time.perf_counter()
            replies = await handle(parse_rest_body(body), on_message)
            per_kind[script.kind].append((time.perf_counter() - started) * 1000)
            outcomes[check(turn, 200, replies)[0]] += 1
    return dict(outcomes)


async def _replay(calls: List[dict]) -> Dict[str, List[float]]:
    from rasa_sdk.executor import ActionExecutor

    logging.getLogger("rasa_sdk").setLevel(logging.WARNING)  # one line per registered action otherwise
    executor = ActionExecutor()
    executor.register_package("actions")
    per_action: Dict[str, List[float]] = defaultdict(list)
    for call in calls:
        started = time.perf_counter()
        await executor.run(copy.deepcopy(call))
        per_action[call["next_action"]].append((time.perf_counter() - started) * 1000)
    return per_action


def _top(profile: cProfile.Profile, sort: str) -> str:
    stream = io.StringIO()
    pstats.Stats(profile, stream=stream).strip_dirs().sort_stats(sort).print_stats(TOP_FUNCTIONS)
    text = stream.getvalue()
    return text[text.find("   ncalls") :].rstrip() if "   ncalls" in text else text


def run(model: Path, out: Path, work: Path, rounds: int) -> dict:
    env = {"STATUS_DB_URL": f"sqlite:///{work / 'status.db'}", "STATUS_HMAC_SECRET": STATUS_SECRET}
    os.environ.update(env)
    procs.import_status_fixtures(env)
    action_port = procs.free_port()
    # The secret bot/endpoints.yml sends and the action server checks, as make run makes it.
    os.environ["ACTION_SERVER_TOKEN"] = os.environ.get("ACTION_SERVER_TOKEN") or secrets.token_urlsafe(32)
    log = (work / "actions.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "actions.server", "--actions", "actions", "--port", str(action_port)],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        return asyncio.run(_measure(model, out, work, rounds, f"http://127.0.0.1:{action_port}/webhook"))
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


async def _wait_for_actions(url: str) -> None:
    health = url.rsplit("/", 1)[0] + "/health"
    deadline = time.monotonic() + procs.STARTUP_LIMIT_S
    async with aiohttp.ClientSession() as session:
        while time.monotonic() < deadline:
            try:
                async with session.get(health) as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.5)
    raise TimeoutError("action server did not start")


async def _measure(model: Path, out: Path, work: Path, rounds: int, action_url: str) -> dict:
    _configure_logging()
    rasa_side = await _rasa_pass(model, work, rounds, action_url)
    action_side = await _action_pass(rasa_side.pop("calls"), rasa_side["messages"], rounds)
    out.mkdir(parents=True, exist_ok=True)
    rasa_side.pop("cprofile").dump_stats(out / "profile_rasa.prof")
    action_side.pop("cprofile").dump_stats(out / "profile_actions.prof")
    return {**rasa_side, **action_side, "report": str(out / "profile.md")}


async def _rasa_pass(model: Path, work: Path, rounds: int, action_url: str) -> dict:
    """The scripts ``rounds`` times with stage timers, then once under cProfile."""
    stages, sent = Stages(), []
    scripts = full_set()
    instrument_rasa(stages, sent)
    agent = await _load_agent(model, action_url, work / "tracker.db")
    await _wait_for_actions(action_url)
    await _play(agent, scripts, "profile-warmup", defaultdict(list))  # first use: graph tracing, DB engines
    stages.reset()
    sent.clear()
    per_kind: Dict[str, List[float]] = defaultdict(list)
    outcomes: Dict[str, int] = defaultdict(int)
    for number in range(rounds):
        for key, value in (await _play(agent, scripts, f"profile-{number}", per_kind)).items():
            outcomes[key] += value
    messages = sum(len(v) for v in per_kind.values())
    calls, rows = list(sent), stages.table(messages)
    stages.enabled = False
    profile = cProfile.Profile()
    profile.enable()
    await _play(agent, scripts, "profile-cprofile", defaultdict(list))
    profile.disable()
    await agent.action_endpoint.close()  # its kept-alive session (bot/action_client.py), before the loop ends
    body_kb = [len(json.dumps(call)) / 1024 for call in calls]
    return {
        "messages": messages,
        "rounds": rounds,
        "outcomes": dict(outcomes),
        "per_kind_ms": {kind: round(sum(v) / len(v), 1) for kind, v in per_kind.items()},
        "mean_ms": round(sum(sum(v) for v in per_kind.values()) / max(messages, 1), 1),
        "rasa_side": rows,
        "action_calls_per_message": round(len(calls) / max(messages, 1), 2),
        "action_request_kb": {
            "mean": round(sum(body_kb) / max(len(body_kb), 1), 1),
            "max": round(max(body_kb, default=0), 1),
            "with_domain": sum("domain" in call for call in calls),
            "calls": len(calls),
        },
        "missing_hooks": list(stages.missing),
        "top_rasa_tottime": _top(profile, "tottime"),
        "top_rasa_cumulative": _top(profile, "cumulative"),
        "calls": calls,
        "cprofile": profile,
    }


async def _action_pass(calls: List[dict], messages: int, rounds: int) -> dict:
    """The recorded action calls replayed with stage timers, then once under cProfile."""
    stages = Stages()
    instrument_actions(stages)
    await _replay(calls[: len(calls) // rounds])  # warm: KB load, DB engine
    stages.reset()
    per_action = await _replay(calls)
    rows = stages.table(messages)
    stages.enabled = False
    profile = cProfile.Profile()
    profile.enable()
    await _replay(calls)
    profile.disable()
    timings = (
        {"action": name, "calls": len(v), "mean_ms": round(sum(v) / len(v), 2)} for name, v in per_action.items()
    )
    return {
        "action_side": rows,
        "per_action_ms": sorted(timings, key=lambda row: row["mean_ms"] * row["calls"], reverse=True),
        "action_missing_hooks": list(stages.missing),
        "top_actions_tottime": _top(profile, "tottime"),
        "cprofile": profile,
    }


def _rows(rows: List[dict], key: str = "stage") -> List[str]:
    lines = [f"| {key} | calls | total ms | mean ms/message | share |", "|---|---:|---:|---:|---:|"]
    lines += [
        f"| {r[key]} | {r['calls']} | {r['total_ms']:.1f} | {r['mean_ms']:.2f} | {r['share']:.1%} |" for r in rows
    ]
    return lines


def markdown(result: dict) -> str:
    lines = [
        "# Per-message profile · 单条消息耗时剖析",
        "",
        f"{result['messages']} messages ({result['rounds']} rounds of the benchmark scripts), one at a time, "
        f"in-process through the REST handler and channel guard; mean {result['mean_ms']} ms per message "
        f"(by kind: {', '.join(f'{k} {v} ms' for k, v in result['per_kind_ms'].items())}). "
        f"Reply checks: {result['outcomes']}. Not included: Sanic's HTTP handling of the resident's request.",
        "",
        "## Rasa side (exclusive time per stage)",
        "",
        *_rows(result["rasa_side"]),
        "",
        f"Action server requests: {result['action_calls_per_message']} per message, "
        f"request body mean {result['action_request_kb']['mean']} KB, max {result['action_request_kb']['max']} KB "
        f"(the whole tracker every call; the domain with {result['action_request_kb']['with_domain']} of "
        f"{result['action_request_kb']['calls']}).",
        "",
        "## Action side, replayed in-process (exclusive time per stage)",
        "",
        *_rows(result["action_side"]),
        "",
        "| action | calls | mean ms |",
        "|---|---:|---:|",
        *[f"| {r['action']} | {r['calls']} | {r['mean_ms']:.2f} |" for r in result["per_action_ms"]],
        "",
        f"## Top {TOP_FUNCTIONS} functions, Rasa side, by own time",
        "",
        "```",
        result["top_rasa_tottime"],
        "```",
        "",
        f"## Top {TOP_FUNCTIONS} functions, Rasa side, cumulative",
        "",
        "```",
        result["top_rasa_cumulative"],
        "```",
        "",
        f"## Top {TOP_FUNCTIONS} functions, actions, by own time",
        "",
        "```",
        result["top_actions_tottime"],
        "```",
        "",
    ]
    missing = result["missing_hooks"] + result["action_missing_hooks"]
    if missing:
        lines += [f"Hooks not found (code changed?): {', '.join(missing)}", ""]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", type=Path, default=REPO / "models" / "shaoguan-hukou.tar.gz")
    parser.add_argument("--out", type=Path, default=REPO / "reports")
    parser.add_argument("--work", type=Path, default=REPO / "var" / "bench" / "profile")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = parser.parse_args()
    shutil.rmtree(args.work, ignore_errors=True)
    args.work.mkdir(parents=True)
    for name, value in (("RASA_TELEMETRY_ENABLED", "false"), ("TF_CPP_MIN_LOG_LEVEL", "2")):
        os.environ.setdefault(name, value)
    result = run(args.model, args.out, args.work, args.rounds)
    (args.out / "profile.md").write_text(markdown(result), encoding="utf-8")
    if args.json:
        args.json.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"profile: {result['mean_ms']} ms per message in-process; top stages:")
    for row in result["rasa_side"][:8]:
        print(f"  {row['mean_ms']:8.2f} ms  {row['share']:6.1%}  {row['stage']}")
    print(f"  → {args.out / 'profile.md'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
