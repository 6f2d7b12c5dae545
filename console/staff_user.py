"""make staff-user: create a console account, reset its password and role, or disable it.

Interactive: asks for what is missing, the password twice without echo (getpass). For scripts:
``--username``, ``--role`` and the password in the environment variable STAFF_PASSWORD (never on
the command line, where ``ps`` and the shell history would show it). The password is never
printed or logged. The account goes into CONSOLE_DB_URL (default var/console.db).
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from typing import Optional

from console.accounts import ROLES, AccountError, check_new_password, normalise_username, save_user, set_active

PASSWORD_ENV = "STAFF_PASSWORD"


def _ask(prompt: str) -> str:
    try:
        return input(prompt).strip()
    except EOFError:
        return ""


def _role(given: Optional[str]) -> str:
    if given:
        return given.strip()
    choices = "，".join(f"{key}＝{label}" for key, label in ROLES.items())
    return _ask(f"角色（{choices}）：")


def _password(username: str) -> str:
    from_env = os.environ.get(PASSWORD_ENV)
    if from_env is not None:
        return from_env
    if not sys.stdin.isatty():
        raise AccountError(f"没有终端可以输入密码：请在环境变量 {PASSWORD_ENV} 中提供密码。")
    first = getpass.getpass("密码（至少 10 个字符，输入时不显示）：")
    check_new_password(username, first)
    if getpass.getpass("再输入一次密码：") != first:
        raise AccountError("两次输入的密码不一致，账号未保存。")
    return first


def main(argv: Optional[list] = None) -> int:
    parser = argparse.ArgumentParser(description="创建或更新热线坐席控制台账号")
    parser.add_argument("--username", default=None)
    parser.add_argument("--role", default=None, help=" / ".join(ROLES))
    parser.add_argument("--disable", action="store_true", help="停用该账号（不删除，审计记录保留）")
    args = parser.parse_args(argv)
    try:
        username = normalise_username(args.username or _ask("用户名："))
        if args.disable:
            set_active(username, False)
            print(f"已停用账号 {username}。")
            return 0
        role = _role(args.role)
        if role not in ROLES:
            raise AccountError(f"角色应为 {' / '.join(ROLES)} 之一。")
        created = save_user(username, role, _password(username))
    except AccountError as problem:
        print(f"错误：{problem}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\n已取消，账号未保存。", file=sys.stderr)
        return 130
    print(f"已{'创建' if created else '更新'}账号 {username}（{ROLES[role]}）。")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
