"""Several processes (standing in for Rasa instances) sharing one Redis ticket lock.

Rasa 3.6's RedisLockStore hands the same ticket to two processes that ask at the same moment;
bot.lock_store.AtomicRedisLockStore must never do that, and must let only one process at a time
into a conversation. Needs the local Redis (skipped without it, except under make chaos).
"""

import asyncio
import multiprocessing
import time
import uuid
from collections import Counter

import pytest
from rasa.core.lock_store import RedisLockStore
from rasa.utils.endpoints import EndpointConfig

from bot.lock_store import AtomicRedisLockStore
from tests.scaled.services import require_redis

PROCESSES = 3
TICKETS_EACH = 150

# The workers only talk to Redis; nothing of JAX/TensorFlow runs in them.
pytestmark = pytest.mark.filterwarnings("ignore:os.fork:RuntimeWarning")


@pytest.fixture
def redis_db():
    client = require_redis()
    prefix = "locktest" + uuid.uuid4().hex[:8]  # Rasa accepts only alphanumeric prefixes
    yield client, prefix
    for key in client.scan_iter(match=f"{prefix}:*"):
        client.delete(key)


def _store(kind, client, prefix):
    kwargs = client.connection_pool.connection_kwargs
    config = EndpointConfig(url=kwargs["host"], port=kwargs["port"], db=kwargs["db"], key_prefix=prefix)
    if kind == "atomic":
        return AtomicRedisLockStore(endpoint_config=config)
    return RedisLockStore(host=kwargs["host"], port=kwargs["port"], db=kwargs["db"], key_prefix=prefix)


def _issue(kind, prefix, start, results):
    from tests.scaled.services import require_redis as connect

    store = _store(kind, connect(), prefix)
    start.wait()
    results.put([store.issue_ticket("resident-1", 60) for _ in range(TICKETS_EACH)])


def _tickets_from_processes(kind, prefix):
    context = multiprocessing.get_context("fork")
    start, results = context.Event(), context.Queue()
    workers = [context.Process(target=_issue, args=(kind, prefix, start, results)) for _ in range(PROCESSES)]
    for worker in workers:
        worker.start()
    start.set()
    numbers = [n for _ in workers for n in results.get(timeout=120)]
    for worker in workers:
        worker.join(timeout=30)
    return numbers


def test_atomic_store_never_issues_a_ticket_twice(redis_db):
    client, prefix = redis_db
    numbers = _tickets_from_processes("atomic", prefix)
    assert len(numbers) == PROCESSES * TICKETS_EACH
    assert sorted(numbers) == list(range(PROCESSES * TICKETS_EACH))  # Rasa numbers from 0
    lock = _store("atomic", client, prefix).get_lock("resident-1")
    assert len(lock.tickets) == PROCESSES * TICKETS_EACH  # no ticket was lost by an overwrite


def test_rasas_own_store_does_issue_tickets_twice_across_processes(redis_db):
    """The race the atomic store exists for (RasaHQ/rasa#11256): this documents it is real."""
    _, prefix = redis_db
    numbers = _tickets_from_processes("rasa", prefix)
    duplicates = sum(count - 1 for count in Counter(numbers).values() if count > 1)
    assert duplicates > 0, "Rasa 3.6's RedisLockStore gave out no duplicate ticket this time"


def _serve(prefix, rounds, start, results):
    from tests.scaled.services import require_redis as connect

    client = connect()
    store = _store("atomic", client, prefix)

    async def run():
        worst = 0
        for _ in range(rounds):
            async with store.lock("resident-2", wait_time_in_seconds=0.005):
                inside = client.incr(f"{prefix}:inside")
                worst = max(worst, inside)
                value = int(client.get(f"{prefix}:counter") or 0)  # a read-modify-write the lock must protect
                time.sleep(0.002)
                client.set(f"{prefix}:counter", value + 1)
                client.decr(f"{prefix}:inside")
        return worst

    start.wait()
    results.put(asyncio.run(run()))


def test_atomic_store_lets_one_process_at_a_time_into_a_conversation(redis_db):
    client, prefix = redis_db
    context = multiprocessing.get_context("fork")
    start, results, rounds = context.Event(), context.Queue(), 15
    workers = [context.Process(target=_serve, args=(prefix, rounds, start, results)) for _ in range(PROCESSES)]
    for worker in workers:
        worker.start()
    start.set()
    most_inside = max(results.get(timeout=120) for _ in workers)
    for worker in workers:
        worker.join(timeout=30)
    assert most_inside == 1
    assert int(client.get(f"{prefix}:counter")) == PROCESSES * rounds  # no update lost
    assert client.get(f"{prefix}:lock:resident-2") is None  # the lock is gone once nobody waits
