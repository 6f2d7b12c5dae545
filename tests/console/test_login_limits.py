"""Issue 17, finding 5: the console's sign-in limits cannot be raced, count per account and per
address with the address a trusted proxy saw, and cannot be turned on a staff member from behind
the proxy; the session cookie is Secure in production mode."""

import asyncio
import logging

from platform_core.settings import ConsoleSettings
from tests.console.conftest import PASSWORD, console, run

WRONG = "guess-guess-guess"


def test_parallel_guesses_check_no_more_passwords_than_the_limit(tmp_path, users):
    """Twenty wrong passwords at once: each is recorded before it is checked, so at most five are checked."""

    async def scenario():
        async with console(tmp_path) as c:
            results = await asyncio.gather(*(c.login("hotline1", WRONG) for _ in range(20)))
            return sorted(response.status for response in results)

    statuses = run(scenario())
    assert statuses.count(401) <= 5 and set(statuses) <= {401, 429}, statuses


def test_behind_a_trusted_proxy_an_attacker_cannot_lock_a_staff_member_out(tmp_path, users):
    """Everyone arrives from the proxy's address: the limit counts the address the proxy saw."""

    async def scenario():
        async with console(tmp_path, trusted_proxies=("127.0.0.1",)) as c:
            for _ in range(6):
                await c.login("hotline1", WRONG, **{"X-Forwarded-For": "203.0.113.66"})
            blocked = await c.login("hotline1", WRONG, **{"X-Forwarded-For": "203.0.113.66"})
            staff = await c.login("hotline1", PASSWORD, **{"X-Forwarded-For": "198.51.100.7"})
            return blocked.status, staff.status

    assert run(scenario()) == (429, 303)


def test_a_forwarded_address_from_an_untrusted_peer_is_not_believed(tmp_path, users):
    """Without a trusted proxy, X-Forwarded-For is the client's own claim: rotating it changes nothing."""

    async def scenario():
        async with console(tmp_path) as c:
            for n in range(5):
                await c.login("hotline1", WRONG, **{"X-Forwarded-For": f"192.0.2.{n}"})
            return (await c.login("hotline1", PASSWORD, **{"X-Forwarded-For": "192.0.2.200"})).status

    assert run(scenario()) == 429


def test_one_address_guessing_many_accounts_is_stopped(tmp_path, users):
    async def scenario():
        async with console(tmp_path, login_max_per_address=8) as c:
            for name in ("hotline1", "hotline2", "comms1", "comms2"):
                for _ in range(2):
                    await c.login(name, WRONG)
            return (await c.login("admin1", WRONG)).status

    assert run(scenario()) == 429


def test_a_distributed_guess_at_one_account_pauses_it_with_an_alert(tmp_path, users, caplog):
    async def scenario():
        async with console(tmp_path, trusted_proxies=("127.0.0.1",), login_max_per_account=6) as c:
            for n in range(6):
                await c.login("admin1", WRONG, **{"X-Forwarded-For": f"203.0.113.{n}"})
            return (await c.login("admin1", PASSWORD, **{"X-Forwarded-For": "198.51.100.7"})).status

    with caplog.at_level(logging.WARNING, logger="console.sessions"):
        assert run(scenario()) == 429
    assert "告警：坐席账号 #" in caplog.text and "admin1" not in caplog.text


def test_production_mode_forces_secure_cookies(tmp_path, users):
    assert ConsoleSettings.from_env({"APP_MODE": "production"}).secure_cookies
    assert not ConsoleSettings.from_env({}).secure_cookies

    async def scenario():
        production = ConsoleSettings.from_env({"APP_MODE": "production"})
        async with console(tmp_path, secure_cookies=production.secure_cookies) as c:
            response = await c.login("hotline1")
            return response.status, response.headers.get("Set-Cookie", "")

    status, cookie = run(scenario())
    assert status == 303 and "Secure" in cookie and "HttpOnly" in cookie


def test_the_address_is_the_proxys_last_entry_only_from_a_trusted_peer():
    from types import SimpleNamespace

    from console.security import client_address

    settings = ConsoleSettings(trusted_proxies=("127.0.0.1",))
    via_proxy = SimpleNamespace(remote="127.0.0.1", headers={"X-Forwarded-For": "6.6.6.6, 203.0.113.9"})
    direct = SimpleNamespace(remote="198.51.100.7", headers={"X-Forwarded-For": "127.0.0.1"})
    assert client_address(via_proxy, settings) == "203.0.113.9"  # the client's own entry is ignored
    assert client_address(direct, settings) == "198.51.100.7"
