"""The console's gate: sign-in, cookies, the sign-in limit, CSRF and origin checks, timeouts,
headers, and which role may use which route (every route, table-driven)."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from console import app as console_app
from console.store import AuditEntry, LoginFailure, StaffSession, session_scope
from tests.console.conftest import PASSWORD, console, run

ALL = {"hotline", "comms", "reviewer", "admin"}
HOTLINE = {"hotline", "admin"}
COMMS = {"comms", "admin"}
ADMIN = {"admin"}
EDIT = {"comms", "admin"}
REVIEW = {"reviewer", "admin"}

# (method, route pattern in console/app.py, a concrete URL, roles allowed, API?) — written out
# here rather than read from the code, so a changed permission fails a test.
ROUTES = [
    ("GET", "/", "/staff/", ALL, False),
    ("GET", "/search", "/staff/search", ALL, False),
    ("GET", "/status", "/staff/status", HOTLINE, False),
    ("GET", "/queue", "/staff/queue", HOTLINE, False),
    ("GET", r"/handoff/{id:\d+}", "/staff/handoff/1", HOTLINE, False),
    ("GET", "/report", "/staff/report", COMMS, False),
    ("GET", "/audit", "/staff/audit", ADMIN, False),
    ("GET", "/api/me", "/staff/api/me", ALL, True),
    ("GET", "/api/search", "/staff/api/search?q=租房可以落户吗", ALL, True),
    ("POST", "/api/status", "/staff/api/status", HOTLINE, True),
    ("GET", "/api/queue", "/staff/api/queue", HOTLINE, True),
    ("GET", r"/api/handoffs/{id:\d+}", "/staff/api/handoffs/1", HOTLINE, True),
    ("POST", r"/api/handoffs/{id:\d+}/take", "/staff/api/handoffs/1/take", HOTLINE, True),
    ("POST", r"/api/handoffs/{id:\d+}/reply", "/staff/api/handoffs/1/reply", HOTLINE, True),
    ("POST", r"/api/handoffs/{id:\d+}/handback", "/staff/api/handoffs/1/handback", HOTLINE, True),
    ("GET", "/api/report", "/staff/api/report", COMMS, True),
    ("GET", "/api/audit", "/staff/api/audit", ADMIN, True),
    ("GET", "/answers", "/staff/answers", ALL, False),
    ("GET", "/reviews", "/staff/reviews", ALL, False),
    ("GET", "/api/answers", "/staff/api/answers", ALL, True),
    ("POST", "/api/answers/check", "/staff/api/answers/check", EDIT, True),
    ("POST", "/api/answers/preview", "/staff/api/answers/preview", ALL, True),
    ("POST", "/api/answers/try", "/staff/api/answers/try", ALL, True),
    ("GET", "/api/answers/sheet", "/staff/api/answers/sheet", ALL, True),
    ("POST", "/api/answers/sheet", "/staff/api/answers/sheet", EDIT, True),
    ("GET", "/api/changes", "/staff/api/changes", ALL, True),
    ("POST", "/api/changes", "/staff/api/changes", EDIT, True),
    ("POST", r"/api/changes/{id:\d+}/approve", "/staff/api/changes/1/approve", REVIEW, True),
    ("POST", r"/api/changes/{id:\d+}/return", "/staff/api/changes/1/return", REVIEW, True),
    ("POST", r"/api/changes/{id:\d+}/publish", "/staff/api/changes/1/publish", REVIEW, True),
    ("POST", r"/api/changes/{id:\d+}/withdraw", "/staff/api/changes/1/withdraw", EDIT, True),
    ("GET", "/api/versions", "/staff/api/versions", ALL, True),
    ("POST", r"/api/versions/{version:\d+}/rollback", "/staff/api/versions/1/rollback", REVIEW, True),
    ("POST", "/logout", "/staff/logout", ALL, False),  # last: it ends the session
]
ROLE_USER = {"hotline": "hotline1", "comms": "comms1", "reviewer": "reviewer1", "admin": "admin1"}


def test_the_table_covers_every_console_route():
    assert {(m, p) for m, p, *_ in ROUTES} == {(r.method, r.path) for r in console_app.ROUTES}


async def _request(c, method, url):
    if method == "GET":
        return await c.get(url)
    return await c.post(url, {})


def test_unauthenticated_requests_are_refused_everywhere(tmp_path, users):
    async def scenario(c):
        for method, _, url, _, is_api in ROUTES:
            response = await _request(c, method, url)
            if is_api:
                assert response.status == 401, url
                assert (await response.json())["error"] == "请先登录。"
            else:
                assert (response.status, response.headers.get("Location")) == (302, "/staff/login"), url
        # A made-up cookie is no better than none.
        c.client.session.cookie_jar.update_cookies({"sg_staff_session": "forged"})
        assert (await c.get("/staff/api/me")).status == 401
        # Public: the sign-in page and the two files it needs.
        for url in ("/staff/login", "/staff/static/console.css", "/staff/static/console.js"):
            assert (await c.get(url)).status == 200, url
        assert (await c.get("/staff")).headers["Location"] == "/staff/"

    run(_in_console(tmp_path, scenario))


async def _in_console(tmp_path, scenario, **settings):
    async with console(tmp_path, **settings) as c:
        return await scenario(c)


def test_each_role_reaches_exactly_its_routes(tmp_path, users):
    async def scenario(c):
        wrong = []
        for role, username in ROLE_USER.items():
            c.client.session.cookie_jar.clear()
            assert (await c.login(username)).status == 303
            for method, _, url, allowed, _ in ROUTES:
                status = (await _request(c, method, url)).status
                if (role in allowed) == (status in (401, 403)):
                    wrong.append((role, method, url, status))
        assert not wrong, wrong

    run(_in_console(tmp_path, scenario))


def test_navigation_shows_only_what_the_role_may_use(tmp_path, users):
    async def scenario(c):
        await c.login("comms1")
        home = await (await c.get("/staff/")).text()
        assert "政策检索" in home and "问答分析" in home
        assert "进度查询" not in home and "转人工队列" not in home and "审计日志" not in home
        c.client.session.cookie_jar.clear()
        await c.login("admin1")
        home = await (await c.get("/staff/")).text()
        assert all(label in home for label in ("政策检索", "进度查询", "转人工队列", "问答分析", "审计日志"))

    run(_in_console(tmp_path, scenario))


def test_sign_in_sets_a_strict_http_only_session_cookie(tmp_path, users):
    async def scenario(c):
        response = await c.login("hotline1")
        assert (response.status, response.headers["Location"]) == (303, "/staff/")
        cookie = response.headers["Set-Cookie"]
        assert cookie.startswith("sg_staff_session=")
        assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/staff" in cookie
        assert "Secure" not in cookie, "plain http on localhost: a Secure cookie would never come back"
        me = await (await c.get("/staff/api/me")).json()
        assert (me["username"], me["role"]) == ("hotline1", "hotline")
        assert me["permissions"] == ["answers", "handoff", "search", "status"]
        # Already signed in: the sign-in page sends you on.
        assert (await c.get("/staff/login")).headers["Location"] == "/staff/"

    run(_in_console(tmp_path, scenario))


def test_secure_cookies_when_configured(tmp_path, users):
    async def scenario(c):
        response = await c.login("hotline1")
        assert "Secure" in response.headers["Set-Cookie"]

    run(_in_console(tmp_path, scenario, secure_cookies=True))


def test_wrong_password_and_unknown_user_get_the_same_answer(tmp_path, users):
    async def scenario(c):
        for username, password in (("hotline1", "not-the-password"), ("nobody", PASSWORD)):
            response = await c.login(username, password)
            assert response.status == 401 and "Set-Cookie" not in response.headers
            assert "用户名或密码不正确，或账号已停用。" in await response.text()
        with session_scope() as session:
            failed = session.execute(select(AuditEntry.username).where(AuditEntry.action == "login_failed")).all()
        assert sorted(u for (u,) in failed) == ["hotline1", "（未知用户名）"]

    run(_in_console(tmp_path, scenario))


def test_sign_in_from_another_site_is_refused(tmp_path, users):
    async def scenario(c):
        for headers in ({"Origin": "https://evil.example"}, {"Origin": "null"}):
            response = await c.client.post(
                "/staff/login",
                data={"username": "hotline1", "password": PASSWORD},
                headers=headers,
                allow_redirects=False,
            )
            assert response.status == 403 and "请求来源不正确" in await response.text()
        response = await c.client.post(
            "/staff/login", data={"username": "hotline1", "password": PASSWORD}, allow_redirects=False
        )
        assert response.status == 403, "no Origin and no Referer"

    run(_in_console(tmp_path, scenario))


def test_five_failures_lock_the_name_from_that_address_even_across_a_restart(tmp_path, users):
    async def first_run(c):
        for _ in range(5):
            assert (await c.login("hotline1", "guess-guess-guess")).status == 401
        locked = await c.login("hotline1", PASSWORD)
        assert locked.status == 429 and "登录失败次数过多，请 15 分钟后再试" in await locked.text()
        assert (await c.login("hotline2")).status == 303, "other accounts are not locked out"

    async def after_restart(c):
        assert (await c.login("hotline1", PASSWORD)).status == 429
        _age(LoginFailure, "at", 16)  # the window passes
        assert (await c.login("hotline1", PASSWORD)).status == 303

    run(_in_console(tmp_path, first_run))
    run(_in_console(tmp_path, after_restart))


def test_a_successful_sign_in_clears_earlier_failures(tmp_path, users):
    async def scenario(c):
        for _ in range(4):
            await c.login("hotline1", "guess-guess-guess")
        assert (await c.login("hotline1")).status == 303
        for _ in range(4):
            assert (await c.login("hotline1", "guess-guess-guess")).status == 401

    run(_in_console(tmp_path, scenario))


@pytest.mark.parametrize(
    "csrf, origin, headers",
    [
        (None, "", {}),  # no token
        ("not-the-token", "", {}),  # wrong token
        ("", "https://evil.example", {}),  # right token, another site
        ("", None, {}),  # right token, no Origin and no Referer
        ("", None, {"Referer": "https://evil.example/page"}),
    ],
    ids=["no-token", "wrong-token", "foreign-origin", "no-origin", "foreign-referer"],
)
def test_state_changing_requests_need_the_session_token_and_our_origin(tmp_path, users, csrf, origin, headers):
    async def scenario(c):
        await c.login("hotline1")
        response = await c.post(
            "/staff/api/status",
            {"application_no": "SG2026110001", "id_tail": "123456"},
            csrf=csrf,
            origin=origin,
            headers=headers,
        )
        assert response.status == 403
        assert (await response.json())["error"] in (console_app.BAD_CSRF, console_app.BAD_ORIGIN)
        with session_scope() as session:
            assert session.execute(select(AuditEntry).where(AuditEntry.action == "status_lookup")).first() is None

    run(_in_console(tmp_path, scenario))


@pytest.mark.parametrize(
    "csrf, origin",
    [(None, ""), ("not-the-token", ""), ("", "https://evil.example"), ("", None)],
    ids=["no-token", "wrong-token", "foreign-origin", "no-origin"],
)
def test_every_state_changing_route_checks_token_and_origin_first(tmp_path, users, csrf, origin):
    """Every POST of the table, by an admin (who may use them all): refused before it runs."""

    async def scenario(c):
        await c.login("admin1")
        refusals = (console_app.BAD_CSRF, console_app.BAD_ORIGIN)
        for method, _, url, _, is_api in ROUTES:
            if method == "POST":
                response = await c.post(url, {"text": "x", "reason": "x", "comment": "x"}, csrf=csrf, origin=origin)
                assert response.status == 403, url
                said = (await response.json())["error"] if is_api else await response.text()
                assert any(refusal in said for refusal in refusals), (url, said)
        with session_scope() as session:
            actions = session.execute(select(AuditEntry.action)).scalars().all()
        assert actions == ["login"]  # nothing was done, and the session is still there
        assert (await c.get("/staff/api/me")).status == 200

    run(_in_console(tmp_path, scenario))


def test_a_token_from_another_session_does_not_work(tmp_path, users):
    async def scenario(c):
        await c.login("hotline2")
        other = c.csrf
        c.client.session.cookie_jar.clear()
        await c.login("hotline1")
        assert (await c.post("/staff/api/handoffs/1/take", csrf=other)).status == 403
        # Same-origin Referer (no Origin) with the right token passes the gate: 404, no such handoff.
        response = await c.post("/staff/api/handoffs/1/take", origin=None, headers={"Referer": c.origin + "/staff/"})
        assert response.status == 404

    run(_in_console(tmp_path, scenario))


def test_sign_out_needs_the_token_and_ends_the_session(tmp_path, users):
    async def scenario(c):
        await c.login("hotline1")
        refused = await c.client.post("/staff/logout", data={}, headers={"Origin": c.origin}, allow_redirects=False)
        assert refused.status == 403 and "页面已过期" in await refused.text()
        assert (await c.get("/staff/api/me")).status == 200
        token = c.client.session.cookie_jar.filter_cookies(c.client.make_url("/staff/"))["sg_staff_session"].value
        done = await c.client.post(
            "/staff/logout", data={"csrf_token": c.csrf}, headers={"Origin": c.origin}, allow_redirects=False
        )
        assert (done.status, done.headers["Location"]) == (303, "/staff/login")
        c.client.session.cookie_jar.update_cookies({"sg_staff_session": token})  # a copied cookie
        assert (await c.get("/staff/api/me")).status == 401

    run(_in_console(tmp_path, scenario))


def _age(table, column, minutes):
    """Move stored times back, as if ``minutes`` had passed."""
    with session_scope() as session:
        for row in session.execute(select(table)).scalars():
            setattr(row, column, getattr(row, column) - timedelta(minutes=minutes))


def _age_session(minutes):
    _age(StaffSession, "last_seen_at", minutes)


def test_idle_session_expires_and_polling_does_not_count_as_activity(tmp_path, users):
    async def scenario(c):
        await c.login("hotline1")
        _age_session(20)
        for _ in range(3):
            assert (await c.get("/staff/api/queue", headers={"X-Console-Poll": "1"})).status == 200
        _age_session(11)  # 31 minutes since the last real request
        assert (await c.get("/staff/api/queue", headers={"X-Console-Poll": "1"})).status == 401
        assert (await c.get("/staff/queue")).headers["Location"] == "/staff/login"

    run(_in_console(tmp_path, scenario))


def test_activity_keeps_a_session_and_the_idle_limit_is_configurable(tmp_path, users):
    async def scenario(c):
        await c.login("hotline1")
        _age_session(4)
        assert (await c.get("/staff/api/me")).status == 200
        _age_session(4)
        assert (await c.get("/staff/api/me")).status == 200
        _age_session(6)
        page = await c.get("/staff/")
        assert page.status == 302 and 'sg_staff_session=""' in page.headers.get("Set-Cookie", "")

    run(_in_console(tmp_path, scenario, idle_minutes=5))


def _assert_console_headers(response, url):
    csp = response.headers.get("Content-Security-Policy", "")
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp, url
    assert response.headers.get("X-Frame-Options") == "DENY", url
    assert response.headers.get("Cache-Control") == "no-store", url
    assert response.headers.get("X-Content-Type-Options") == "nosniff", url
    # With no-referrer, Chromium sends "Origin: null" on our own posts and the origin check fails.
    assert response.headers.get("Referrer-Policy") == "same-origin", url


def test_security_headers_on_every_kind_of_response(tmp_path, users):
    async def scenario(c):
        for url in ("/staff/login", "/staff/static/console.js", "/staff/queue", "/staff/api/me", "/staff/no-such"):
            _assert_console_headers(await c.get(url), url)
        await c.login("comms1")
        for url in ("/staff/", "/staff/report", "/staff/api/me", "/staff/status", "/staff/api/queue"):
            _assert_console_headers(await c.get(url), url)

    run(_in_console(tmp_path, scenario))


TEMPLATES = Path(console_app.__file__).parent / "templates"


@pytest.mark.parametrize("template", sorted(TEMPLATES.glob("*.html")), ids=lambda p: p.name)
def test_no_inline_script_or_style_in_any_page(template):
    html = template.read_text(encoding="utf-8")
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)
    assert not re.search(r"<style|\sstyle=|\son[a-z]+=", html)


def test_names_are_escaped_on_the_page(tmp_path):
    from console.accounts import save_user

    save_user("<b>mallory</b>", "hotline", PASSWORD)

    async def scenario(c):
        await c.login("<b>mallory</b>")
        page = await (await c.get("/staff/")).text()
        assert "<b>mallory</b>" not in page and "&lt;b&gt;mallory&lt;/b&gt;" in page

    run(_in_console(tmp_path, scenario))
