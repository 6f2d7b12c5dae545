"""Staff accounts: scrypt hashes with their own salt and cost, verification, weak passwords,
disabled accounts, and `make staff-user` for people and for scripts."""

import os
import subprocess

import pytest
from sqlalchemy import select

from console import accounts
from console.accounts import AccountError, authenticate, hash_password, save_user, set_active, verify_password
from console.staff_user import main as staff_user
from console.store import StaffUser, session_scope
from tests.conftest import REPO

PASSWORD = "Lantern-2026-river"


def _stored(username):
    with session_scope() as session:
        return session.execute(select(StaffUser).where(StaffUser.username == username)).scalars().one()


def test_hash_keeps_salt_and_cost_and_never_the_password():
    first, second = hash_password(PASSWORD), hash_password(PASSWORD)
    scheme, params, salt, digest = first.split("$")
    assert scheme == "scrypt" and params == f"n={2**15},r=8,p=1"
    assert first != second, "every hash has its own salt"
    assert PASSWORD not in first and len(salt) >= 22 and len(digest) >= 43


def test_verify_accepts_the_password_and_nothing_else():
    stored = hash_password(PASSWORD)
    assert verify_password(PASSWORD, stored)
    assert not verify_password(PASSWORD.lower(), stored)
    assert not verify_password("", stored)
    assert not verify_password(PASSWORD, stored.replace("scrypt", "md5"))
    assert not verify_password(PASSWORD, "not-a-hash")


def test_cost_parameters_are_read_from_the_stored_hash():
    cheap = hash_password(PASSWORD, n=2**10, r=8, p=1)
    assert "n=1024" in cheap and verify_password(PASSWORD, cheap)


def test_authenticate_right_wrong_unknown_and_disabled():
    assert save_user("wang.li", "hotline", PASSWORD) is True
    staff = authenticate("wang.li", PASSWORD)
    assert staff is not None and (staff.username, staff.role) == ("wang.li", "hotline")
    assert authenticate("wang.li", PASSWORD + "x") is None
    assert authenticate("nobody", PASSWORD) is None
    set_active("wang.li", False)
    assert authenticate("wang.li", PASSWORD) is None, "a disabled account cannot sign in"
    assert accounts.active_staff(staff.id) is None


def test_saving_again_resets_role_and_password_and_re_enables():
    save_user("chen", "hotline", PASSWORD)
    set_active("chen", False)
    assert save_user("chen", "admin", "another-long-pass") is False
    assert authenticate("chen", PASSWORD) is None
    assert authenticate("chen", "another-long-pass").role == "admin"
    assert _stored("chen").active


@pytest.mark.parametrize(
    "username, role, password, message",
    [
        ("li", "hotline", "short-pw", "至少需要 10 个字符"),
        ("li.ming.hotline", "hotline", "li.ming.hotline", "不能与用户名相同"),
        ("li", "hotline", "aaaaaaaaaaaa", "很少几个字符"),
        ("li", "boss", PASSWORD, "角色应为"),
        ("li ming", "hotline", PASSWORD, "不能含空格"),
    ],
)
def test_refused_accounts_are_not_saved(username, role, password, message):
    with pytest.raises(AccountError, match=message):
        save_user(username, role, password)
    with session_scope() as session:
        assert session.execute(select(StaffUser)).first() is None


def test_script_use_takes_the_password_from_the_environment(monkeypatch, capsys):
    monkeypatch.setenv("STAFF_PASSWORD", PASSWORD)
    assert staff_user(["--username", "zhao", "--role", "comms"]) == 0
    out, err = capsys.readouterr()
    assert "已创建账号 zhao（宣传/运营）" in out
    assert PASSWORD not in out + err
    assert authenticate("zhao", PASSWORD).role == "comms"
    assert staff_user(["--username", "zhao", "--disable"]) == 0
    assert authenticate("zhao", PASSWORD) is None


def test_script_refuses_a_weak_password_in_chinese(monkeypatch, capsys):
    monkeypatch.setenv("STAFF_PASSWORD", "123456")
    assert staff_user(["--username", "zhao", "--role", "hotline"]) == 2
    out, err = capsys.readouterr()
    assert "错误：密码太短" in err and "123456" not in out + err


def test_interactive_use_asks_twice_without_echo(monkeypatch, capsys):
    monkeypatch.delenv("STAFF_PASSWORD", raising=False)
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    answers = iter([PASSWORD, PASSWORD + "!"])
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(answers))
    assert staff_user(["--username", "sun", "--role", "admin"]) == 2
    assert "两次输入的密码不一致" in capsys.readouterr().err
    answers = iter([PASSWORD, PASSWORD])
    assert staff_user(["--username", "sun", "--role", "admin"]) == 0
    assert authenticate("sun", PASSWORD).role == "admin"


def test_make_staff_user_for_scripts(private_console_db):
    env = {**os.environ, "CONSOLE_DB_URL": private_console_db, "STAFF_PASSWORD": PASSWORD}
    done = subprocess.run(
        ["make", "--no-print-directory", "-o", ".venv/.installed", "staff-user", "USERNAME=make.user", "ROLE=hotline"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "已创建账号 make.user（热线坐席）" in done.stdout
    assert PASSWORD not in done.stdout + done.stderr
    assert authenticate("make.user", PASSWORD).role == "hotline"
