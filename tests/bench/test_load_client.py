"""The load client counts what it is told to: every reply checked, failures never counted as answers."""

import asyncio

from aiohttp import web

from bench.load import run_level
from bench.scripts import Script, Turn, check

SCRIPT = Script(
    "probe",
    "faq",
    (
        Turn("ok", ("第（三）条",)),
        Turn("empty", ("第（三）条",)),
        Turn("error", ("第（三）条",)),
        Turn("wrong", ("第（三）条",)),
    ),
)


async def _webhook(request: web.Request) -> web.Response:
    body = await request.json()
    message = body["message"]
    if message == "ok":
        return web.json_response([{"recipient_id": body["sender"], "text": "可以。依据：第（三）条"}])
    if message == "empty":
        return web.json_response([])
    if message == "error":
        return web.json_response({"error": "boom"}, status=500)
    return web.json_response([{"recipient_id": body["sender"], "text": "系统繁忙，请拨打12345"}])


async def _run(concurrency: int, conversations_each: int, think_s=None):
    app = web.Application()
    app.router.add_post("/webhooks/rest/webhook", _webhook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    try:
        url = f"http://127.0.0.1:{port}/webhooks/rest/webhook"
        return await run_level(url, [SCRIPT], concurrency, conversations_each=conversations_each, think_s=think_s)
    finally:
        await runner.cleanup()


def test_every_outcome_is_counted_and_examples_kept():
    result = asyncio.run(_run(concurrency=3, conversations_each=2))
    summary = result.summary()
    assert summary["messages"] == 3 * 2 * 4 and summary["conversations"] == 6
    assert (summary["ok"], summary["empty"], summary["http_error"], summary["wrong"]) == (6, 6, 6, 6)
    assert summary["failures"] == 18
    assert {ex["outcome"] for ex in summary["examples"]} <= {"empty", "http_error", "wrong"}
    lat = summary["latency_ms"]
    assert 0 < lat["p50"] <= lat["p95"] <= lat["p99"] <= lat["max"]
    assert summary["throughput_msg_s"] > 0


def test_check_needs_every_fragment_and_a_list():
    turn = Turn("q", ("第（三）条", "12345"))
    assert check(turn, 200, [{"text": "第（三）条"}, {"text": "热线12345"}])[0] == "ok"
    assert check(turn, 200, [{"text": "第（三）条"}])[0] == "wrong"
    assert check(turn, 200, [{"text": "  "}])[0] == "empty"
    assert check(turn, 200, {"error": "x"})[0] == "http_error"
    assert check(turn, 0, "ClientConnectorError")[0] == "http_error"


def test_paced_residents_pause_before_each_message_and_the_pause_is_not_latency():
    result = asyncio.run(_run(concurrency=2, conversations_each=1, think_s=(0.2, 0.3)))
    summary = result.summary()
    assert summary["messages"] == 8 and summary["think_s"] == [0.2, 0.3]
    assert summary["elapsed_s"] >= 4 * 0.2  # four pauses in a row for each resident
    assert summary["latency_ms"]["max"] < 200  # a local reply, without the pause


def test_a_pause_range_the_wrong_way_round_is_refused():
    import pytest

    with pytest.raises(ValueError, match="think_s"):
        asyncio.run(run_level("http://127.0.0.1:9/", [SCRIPT], 1, conversations_each=1, think_s=(3, 1)))


def test_rounds_of_one_level_merge_into_one_result():
    from bench.load import merged

    first = asyncio.run(_run(concurrency=2, conversations_each=1))
    second = asyncio.run(_run(concurrency=2, conversations_each=2))
    whole = merged([first, second]).summary()
    assert whole["messages"] == 8 + 16 and whole["conversations"] == 2 + 4
    assert whole["ok"] == first.outcomes["ok"] + second.outcomes["ok"] == 6
    assert whole["elapsed_s"] == round(first.elapsed_s + second.elapsed_s, 2)
    assert len(whole["examples"]) <= 5
