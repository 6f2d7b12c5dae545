"""Lookups by application number and ID tail: the right answer, or one neutral None for any mistake."""

import asyncio
import datetime as dt

import pytest

from status_store.importer import import_file
from status_store.lookup import NEXT_STEPS, lookup, lookup_async, throttled_lookup, throttled_lookup_async
from status_store.models import STATUSES
from status_store.throttle import LookupThrottle
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
    assert not throttled_lookup("u2", "SG2026110001", "121017", throttle=throttle).locked
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
    from status_store.db import dispose_engines

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

    from status_store.db import get_engine

    async def all_at_once():
        return await asyncio.gather(
            *(lookup_async(r["application_no"], r["id_number"][-6:], settings=store) for r in RECORDS * 4)
        )

    views = asyncio.run(all_at_once())
    assert [v.application_no for v in views] == [r["application_no"] for r in RECORDS * 4]
    engine = get_engine(store.db_url)
    assert isinstance(engine.pool, QueuePool)
    assert engine.pool.checkedout() == 0  # every session gave its connection back
    assert throttled_lookup("c-1", RECORDS[0]["application_no"], "000000", settings=store).found is False
    assert LookupThrottle(store).failures("c-1") == 1  # a write through the pool is seen by the next read
