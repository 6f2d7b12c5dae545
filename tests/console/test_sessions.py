"""Server-side sessions: idle and absolute timeouts, sign-out, disabled accounts, and the sign-in
failure limit kept in the database."""

from datetime import timedelta

from sqlalchemy import select

from console import sessions
from console.accounts import authenticate, save_user, set_active
from console.store import LoginFailure, StaffSession, session_scope, utcnow
from platform_core.settings import ConsoleSettings

PASSWORD = "Lantern-2026-river"
SETTINGS = ConsoleSettings(idle_minutes=30, absolute_minutes=8 * 60, login_max_failures=5, login_window_minutes=15)


def _signed_in(username="li", role="hotline"):
    save_user(username, role, PASSWORD)
    staff = authenticate(username, PASSWORD)
    token, csrf = sessions.start(staff)
    return staff, token, csrf


def _row():
    with session_scope() as session:
        return session.execute(select(StaffSession)).scalars().one_or_none()


def test_a_new_session_resolves_and_only_a_hash_of_the_token_is_stored():
    staff, token, csrf = _signed_in()
    signed = sessions.resolve(token, SETTINGS)
    assert signed.staff == staff and signed.csrf_token == csrf
    assert token not in _row().token_hash and len(_row().token_hash) == 64
    assert sessions.resolve(token + "x", SETTINGS) is None
    assert sessions.resolve("", SETTINGS) is None


def test_idle_timeout_and_activity_moving_it_on():
    _, token, _ = _signed_in()
    start = _row().last_seen_at
    assert sessions.resolve(token, SETTINGS, now=start + timedelta(minutes=29)) is not None
    # 29 minutes later again: still fine, because the last request moved the idle deadline.
    assert sessions.resolve(token, SETTINGS, now=start + timedelta(minutes=58)) is not None
    assert sessions.resolve(token, SETTINGS, now=start + timedelta(minutes=88, seconds=1)) is None
    assert _row() is None, "an expired session is deleted"


def test_background_polling_does_not_keep_a_session_alive():
    _, token, _ = _signed_in()
    start = _row().last_seen_at
    for minutes in (10, 20, 29):
        assert sessions.resolve(token, SETTINGS, activity=False, now=start + timedelta(minutes=minutes))
    assert _row().last_seen_at == start
    assert sessions.resolve(token, SETTINGS, activity=False, now=start + timedelta(minutes=31)) is None


def test_absolute_timeout_ends_even_an_active_session():
    _, token, _ = _signed_in()
    start = _row().created_at
    for minute in range(20, 8 * 60 + 1, 20):  # busy all shift long
        assert sessions.resolve(token, SETTINGS, now=start + timedelta(minutes=minute)) is not None, minute
    assert sessions.resolve(token, SETTINGS, now=start + timedelta(minutes=8 * 60 + 1)) is None


def test_sign_out_and_disabling_the_account_end_the_session():
    _, token, _ = _signed_in("a")
    sessions.end(token)
    assert sessions.resolve(token, SETTINGS) is None
    _, token, _ = _signed_in("b")
    set_active("b", False)
    assert sessions.resolve(token, SETTINGS) is None


def test_purge_removes_only_expired_sessions():
    _signed_in("a")
    _signed_in("b")
    sessions.purge_expired(SETTINGS, now=utcnow() + timedelta(minutes=31))
    with session_scope() as session:
        assert session.execute(select(StaffSession)).all() == []
    _, fresh, _ = _signed_in("c")
    sessions.purge_expired(SETTINGS)
    assert sessions.resolve(fresh, SETTINGS) is not None


def _fail(name, client, **kwargs):
    """A sign-in with a wrong password: True if its password was checked, False if refused first."""
    attempt = sessions.begin_login(name, client, SETTINGS, **kwargs)
    if attempt is not None:
        sessions.login_failed(attempt, SETTINGS)
    return attempt is not None


def _allowed(name, client, **kwargs):
    attempt = sessions.begin_login(name, client, SETTINGS, **kwargs)
    if attempt is not None:
        sessions._take_back(attempt)
    return attempt is not None


def test_failure_limit_per_username_and_address_within_the_window():
    for _ in range(4):
        assert _fail("li", "10.0.0.1")
    assert _fail("LI ", "10.0.0.1")  # the fifth, the same name typed differently
    assert not _allowed("li", "10.0.0.1")
    assert _allowed("li", "10.0.0.2") and _allowed("wang", "10.0.0.1")
    assert _allowed("li", "10.0.0.1", now=utcnow() + timedelta(minutes=16))
    attempt = sessions.begin_login("li", "10.0.0.3", SETTINGS)
    sessions.login_succeeded(attempt, SETTINGS)  # a success clears that address's failures for the name
    assert not _allowed("li", "10.0.0.1")  # ... and no other address's


def test_failures_store_no_username_or_address():
    assert _fail("my-secret-password-typed-as-name", "10.0.0.1")
    with session_scope() as session:
        rows = session.execute(select(LoginFailure)).scalars().all()
    assert len(rows) == 3 and all("secret" not in row.key_hash and "10.0.0.1" not in row.key_hash for row in rows)


def test_settings_from_the_environment():
    settings = ConsoleSettings.from_env(
        {
            "CONSOLE_IDLE_MINUTES": "10",
            "CONSOLE_SECURE_COOKIES": "1",
            "RASA_API_URL": "http://127.0.0.1:6000/",
            "RASA_API_TOKEN": "t",
        }
    )
    assert (settings.idle_minutes, settings.secure_cookies, settings.rasa_api_url) == (
        10,
        True,
        "http://127.0.0.1:6000",
    )
    assert "rasa_api_token" not in repr(settings)
    assert ConsoleSettings.from_env({}, rasa_port=5123).rasa_api_url == "http://127.0.0.1:5123"
    try:
        ConsoleSettings.from_env({"CONSOLE_IDLE_MINUTES": "half an hour"})
    except ValueError as error:
        assert "CONSOLE_IDLE_MINUTES" in str(error)
    else:
        raise AssertionError("a bad timeout must be refused")
