"""Lookups by application number and ID tail: the right answer, or one neutral None for any mistake."""

import asyncio
import datetime as dt
import logging
from concurrent.futures import ThreadPoolExecutor

import pytest

from status_store.importer import import_file
from status_store.lookup import NEXT_STEPS, lookup, lookup_async, throttled_lookup, throttled_lookup_async
from status_store.models import STATUSES
from status_store.throttle import APPLICATION, CLIENT, LookupThrottle, number_tag
from tests.status_store.helpers import read_csv
from tests.status_store.test_importer import SAMPLE

RECORDS = read_csv(SAMPLE)


@pytest.fixture
def store(settings):
    import_file(SAMPLE, settings=settings)
    return settings


class Clock:
    def __init__(self):
        self.now = dt.datetime(2026, 11, 20, 9, 0)

    def __call__(self):
        return self.now


@pytest.mark.parametrize("record", RECORDS, ids=lambda r: r["application_no"])
def test_every_record_is_found_with_its_tail(store, record):
    view = lookup(record["application_no"], record["id_number"][-6:], settings=store)
    assert view is not None
    assert (view.status, view.office, view.note) == (record["status"], record["office"], record["note"])
    assert view.updated_at.isoformat() == record["updated_at"]
    assert view.masked_name == record["applicant_name"][0] + "*" * (len(record["applicant_name"]) - 1)
    assert view.next_step == NEXT_STEPS[record["status"]]


def test_every_status_has_a_next_step():
    assert set(NEXT_STEPS) == set(STATUSES) and all(NEXT_STEPS.values())


@pytest.mark.parametrize(
    "number, tail",
    [
        ("sg2026110002", "15104x"),
        ("SG-2026-110002", "15104X"),
        ("ＳＧ２０２６１１０００２", "１５１０４Ｘ"),
        (" sg 2026 110002 ", "151 04x"),
    ],
)
def test_typed_variants_are_found(store, number, tail):
    assert lookup(number, tail, settings=store).application_no == "SG2026110002"


@pytest.mark.parametrize(
    "number, tail",
    [
        ("SG2026110001", "011024"),  # wrong tail
        ("SG2026110001", "151040"),  # another record's tail (minus its X)
        ("SG2026110001", "15104X"),  # another record's tail
        ("SG2026119999", "121017"),  # unknown number
        ("SG2026119999", "000000"),  # unknown number, wrong tail
        ("SG2026110001", "12345"),  # malformed tail
        ("SG2026110001", ""),
        ("", "121017"),
        ("SG/1", "121017"),
        ("SG2026110001", "440299198503121017"),  # the full ID is not what is asked for
    ],
)
def test_every_failure_gives_the_same_neutral_result(store, number, tail):
    assert lookup(number, tail, settings=store) is None


def test_the_tail_of_one_record_does_not_open_another(store):
    tails = {r["application_no"]: r["id_number"][-6:] for r in RECORDS}
    for number in tails:
        for other, tail in tails.items():
            found = lookup(number, tail, settings=store)
            assert (found is not None) == (number == other)


def test_lookup_async_runs_in_a_thread(store):
    view = asyncio.run(lookup_async("SG2026110003", "011023", settings=store))
    assert view.status == "已办结"
    assert asyncio.run(lookup_async("SG2026110003", "011024", settings=store)) is None


def test_five_failures_in_an_hour_lock_the_conversation_until_they_age_out(store):
    clock = Clock()
    throttle = LookupThrottle(store, clock=clock)
    results = [throttled_lookup("u1", "SG2026110001", "000000", throttle=throttle) for _ in range(5)]
    assert [r.attempts_left for r in results] == [4, 3, 2, 1, 0]
    assert [r.locked for r in results] == [False] * 4 + [True]
    # Even the right answer is refused now, and is not looked up.
    locked = throttled_lookup("u1", "SG2026110001", "121017", throttle=throttle)
    assert locked.locked and not locked.found
    assert throttled_lookup("u2", "SG2026110002", "15104X", throttle=throttle).found  # others go on
    clock.now += dt.timedelta(minutes=59)
    assert throttle.is_locked("u1")
    clock.now += dt.timedelta(minutes=1, seconds=1)
    result = throttled_lookup("u1", "SG2026110001", "121017", throttle=throttle)
    assert result.found and result.attempts_left == 5


def test_failures_are_counted_in_a_sliding_window(store):
    clock = Clock()
    throttle = LookupThrottle(store, clock=clock)
    for _ in range(4):
        throttle.record_failure("u1")
    clock.now += dt.timedelta(minutes=40)
    throttle.record_failure("u1")
    assert throttle.is_locked("u1")
    clock.now += dt.timedelta(minutes=21)  # the first four are now older than an hour
    assert throttle.failures("u1") == 1 and not throttle.is_locked("u1")


def test_a_success_does_not_reset_the_count(store):
    throttle = LookupThrottle(store, clock=Clock())
    for _ in range(4):
        throttled_lookup("u1", "SG2026110001", "000000", throttle=throttle)
    assert throttled_lookup("u1", "SG2026110001", "121017", throttle=throttle).found
    assert throttled_lookup("u1", "SG2026110001", "000000", throttle=throttle).locked


def test_the_lockout_survives_a_restart(store):
    clock = Clock()
    for _ in range(5):
        LookupThrottle(store, clock=clock).record_failure("u1")
    from platform_core.db import dispose_engines

    dispose_engines()  # as if the action server restarted
    assert LookupThrottle(store, clock=clock).is_locked("u1")


def test_throttled_lookup_async(store):
    throttle = LookupThrottle(store, clock=Clock())
    result = asyncio.run(throttled_lookup_async("u1", "SG2026110004", "301037", throttle=throttle))
    assert result.found and result.view.status == "已受理"


def test_lookups_from_many_worker_threads_share_pooled_connections(store):
    # The action server runs lookups via asyncio.to_thread: a pooled SQLite connection must be
    # usable from whichever worker thread borrows it, and every answer stay the right one.
    from sqlalchemy.pool import QueuePool

    from platform_core.db import get_engine

    async def all_at_once():
        return await asyncio.gather(
            *(lookup_async(r["application_no"], r["id_number"][-6:], settings=store) for r in RECORDS * 4)
        )

    views = asyncio.run(all_at_once())
    assert [v.application_no for v in views] == [r["application_no"] for r in RECORDS * 4]
    engine = get_engine(store.status_db_url)
    assert isinstance(engine.pool, QueuePool)
    assert engine.pool.checkedout() == 0  # every session gave its connection back
    assert throttled_lookup("c-1", RECORDS[0]["application_no"], "000000", settings=store).found is False
    assert LookupThrottle(store).failures("c-1") == 1  # a write through the pool is seen by the next read


# ── limits that hold across conversations (issue 17) ─────────────────────────────────────────


def test_a_dozen_conversations_guessing_one_number_do_not_reveal_it(store):
    clock = Clock()
    throttle = LookupThrottle(store, clock=clock)
    guesses = [throttled_lookup(f"guess-{n}", "SG2026110001", f"{100000 + n}", throttle=throttle) for n in range(12)]
    assert [g.locked for g in guesses] == [False] * 4 + [True] * 8  # the 5th failure rests the number
    right = throttled_lookup("yet-another", "SG2026110001", "121017", throttle=throttle)
    assert right.locked and not right.found
    assert throttled_lookup("yet-another", "sg-2026-110001", "121017", throttle=throttle).locked  # any spelling
    assert throttled_lookup("someone-else", "SG2026110002", "15104X", throttle=throttle).found
    # The cooling-off: once the failures are older than the number's window, its owner gets in again.
    clock.now += APPLICATION.window + dt.timedelta(seconds=1)
    assert throttled_lookup("owner", "SG2026110001", "121017", throttle=throttle).found


def test_staff_lookups_are_not_held_by_the_residents_limits(store):
    throttle = LookupThrottle(store, clock=Clock())
    for n in range(APPLICATION.limit):
        throttled_lookup(f"guess-{n}", "SG2026110001", "000000", throttle=throttle)
    assert throttled_lookup("resident", "SG2026110001", "121017", throttle=throttle).locked
    assert lookup("SG2026110001", "121017", settings=store).status == "审核中"


def test_one_client_rotating_conversations_and_numbers_is_stopped(store):
    clock = Clock()
    throttle = LookupThrottle(store, clock=clock)
    numbers = [r["application_no"] for r in RECORDS]
    for n in range(CLIENT.limit):  # never more than 3 failures on any one number
        result = throttled_lookup(f"c-{n}", numbers[n % len(numbers)], "000000", client="addr-1", throttle=throttle)
        assert not result.found
    record = RECORDS[3]
    right = throttled_lookup(
        "c-new", record["application_no"], record["id_number"][-6:], client="addr-1", throttle=throttle
    )
    assert right.locked and not right.found
    assert throttle.is_locked("c-newer", client="addr-1") and not throttle.is_locked("c-newer", client="addr-2")
    assert throttled_lookup(
        "c-other", record["application_no"], record["id_number"][-6:], client="addr-2", throttle=throttle
    ).found
    clock.now += CLIENT.window + dt.timedelta(seconds=1)
    assert not throttle.is_locked("c-newer", client="addr-1")


def test_parallel_guesses_cannot_slip_under_the_limit_together(store):
    throttle = LookupThrottle(store, clock=Clock())
    for n in range(APPLICATION.limit - 1):
        throttled_lookup(f"before-{n}", "SG2026110001", "000000", throttle=throttle)
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(
            pool.map(
                lambda n: throttled_lookup(f"burst-{n}", "SG2026110001", f"{200000 + n}", throttle=throttle), range(8)
            )
        )
    [number] = [s for s in throttle.subjects("x", "SG2026110001") if s[0].scope == "application"]
    assert throttle.counts([number])[0] <= APPLICATION.limit  # at most one of the eight was tried


def test_a_number_being_guessed_raises_one_alert_naming_it_only_by_a_keyed_hash(store, caplog):
    throttle = LookupThrottle(store, clock=Clock())
    with caplog.at_level(logging.WARNING, logger="status_store.throttle"):
        for n in range(8):
            throttled_lookup(f"guess-{n}", "SG2026110001", f"{300000 + n}", throttle=throttle)
    alerts = [r.getMessage() for r in caplog.records if "告警" in r.getMessage()]
    assert len(alerts) == 1, alerts
    assert f"#{number_tag(store.hmac_secret, 'SG2026110001')}" in alerts[0] and "SG2026110001" not in alerts[0]
    assert "2026110001" not in caplog.text and "300000" not in caplog.text
