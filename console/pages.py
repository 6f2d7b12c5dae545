"""The console's HTML: one layout, one small fragment per page, filled in on the server.

Only the layout's few placeholders are filled, every value HTML-escaped; everything a resident
or the knowledge base wrote reaches the page through the JSON API and ``textContent``, never as
markup. No inline script or style (the CSP forbids both).
"""

from __future__ import annotations

import html
import re
from functools import lru_cache
from pathlib import Path
from typing import Dict

from console.accounts import ROLES
from console.permissions import ANSWERS, AUDIT, HANDOFF, REPORT, SEARCH, STATUS, allowed
from platform_core.settings import ConsoleSettings

TEMPLATES = Path(__file__).resolve().parent / "templates"
_PLACEHOLDER = re.compile(r"\{\{([A-Z]+)\}\}")

# (path, label, permission, what the home page says about it)
NAV = (
    ("/staff/search", "政策检索", SEARCH, "用助手同样的检索查找问答，一键复制答案和依据条款。"),
    ("/staff/status", "进度查询", STATUS, "来电人提供受理编号和身份证后六位，查询申请进度（每次查询都记入审计日志）。"),
    ("/staff/queue", "转人工队列", HANDOFF, "居民要求转人工或助手多次未能理解的对话：查看记录、接管、回复、交还助手。"),
    ("/staff/report", "问答分析", REPORT, "居民问了但助手答不好的问题，以及评价最差的答案，可生成问答草稿。"),
    ("/staff/answers", "问答库", ANSWERS, "查看、修改和新增问答：实时检查、预览、试问；修改提交审核后才发布。"),
    ("/staff/reviews", "审核与发布", ANSWERS, "待审核的修改（逐项对比）、批准或退回、发布，以及历次版本和回滚。"),
    ("/staff/audit", "审计日志", AUDIT, "谁在什么时候查询了哪个申请、回复了哪个居民。"),
)

TITLES = {
    "home": "首页",
    "search": "政策检索",
    "status": "进度查询",
    "queue": "转人工队列",
    "handoff": "对话详情",
    "report": "问答分析",
    "audit": "审计日志",
    "answers": "问答库",
    "reviews": "审核与发布",
}


@lru_cache(maxsize=None)
def _template(name: str) -> str:
    return (TEMPLATES / f"{name}.html").read_text(encoding="utf-8")


def _fill(template: str, values: Dict[str, str]) -> str:
    """One pass, so a filled-in value is never itself searched for placeholders."""
    return _PLACEHOLDER.sub(lambda match: values.get(match.group(1), match.group(0)), template)


def _nav(role: str, current: str) -> str:
    items = []
    for path, label, permission, _ in NAV:
        if allowed(role, permission):
            here = ' aria-current="page"' if path.endswith("/" + current) else ""
            items.append(f'<li><a href="{path}"{here}>{html.escape(label)}</a></li>')
    return "\n".join(items)


def _home_cards(role: str) -> str:
    cards = []
    for path, label, permission, description in NAV:
        if allowed(role, permission):
            cards.append(
                f'<li class="card"><a href="{path}"><strong>{html.escape(label)}</strong>'
                f"<span>{html.escape(description)}</span></a></li>"
            )
    return "\n".join(cards)


def page(name: str, username: str, role: str, csrf_token: str) -> str:
    """A console page for a signed-in staff member."""
    content = _template(name)
    if name == "home":
        content = _fill(content, {"CARDS": _home_cards(role)})
    return _fill(
        _template("layout"),
        {
            "TITLE": html.escape(TITLES[name]),
            "PAGE": name,
            "CSRF": html.escape(csrf_token),
            "USER": html.escape(username),
            "ROLE": html.escape(ROLES.get(role, role)),
            "NAV": _nav(role, name),
            "CONTENT": content,
        },
    )


def login(settings: ConsoleSettings, error: str = "", username: str = "") -> str:
    alert = f'<p class="error" role="alert">{html.escape(error)}</p>' if error else ""
    return _fill(
        _template("login"),
        {
            "ERROR": alert,
            "USERNAME": html.escape(username),
            "MAXFAILURES": str(settings.login_max_failures),
            "WINDOW": str(settings.login_window_minutes),
        },
    )


def notice(message: str) -> str:
    """A page that only says why the request was refused (wrong role, stale form)."""
    return _fill(_template("notice"), {"MESSAGE": html.escape(message)})
