"""``make faq-publish`` / ``faq-history`` / ``faq-rollback``: put an edit of policy_kb/data in
front of residents, see what was published, and go back.

Publishing copies policy_kb/data into a new numbered version, lints *that copy* (so what was
checked is exactly what is served), records who, when, a summary and the diff, then switches the
current version. A failing lint publishes nothing and leaves the current version as it was. The
running assistant reads the current version (POLICY_KB_DIR) and reloads on the next message.
No retraining is ever needed: FAQ phrasings feed the search index, not the trained model, and
the lint refuses an entry whose intent the model does not know.
"""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import logging
import os
import shutil
import sys
from pathlib import Path
from typing import List, Optional

from platform_core.settings import SettingsError, get_settings
from policy_kb.authoring.cli import ChineseArgumentParser, display_path
from policy_kb.authoring.faq_lint import lint, threshold_arg
from policy_kb.authoring.faq_similar import DEFAULT_THRESHOLD
from policy_kb.authoring.publish_diff import data_files, summarize, unified_diff
from policy_kb.authoring.publish_store import (
    CURRENT,
    current_version,
    history,
    locked,
    publish_root,
    record,
    switch,
    version_dir,
    versions,
    write_json,
)
from policy_kb.loader import DATA_DIR, KnowledgeBaseError, load_kb

logger = logging.getLogger(__name__)
_IGNORED = shutil.ignore_patterns(".*", "*~", "*.tmp", "__pycache__")  # editor and import leftovers


class PublishError(ValueError):
    """Publishing or rolling back was refused; nothing changed. ``problems`` says why, in Chinese."""

    def __init__(self, message: str, problems: Optional[List[str]] = None):
        self.problems = problems or []
        super().__init__("\n".join([message, *self.problems]))


def publisher() -> str:
    """PUBLISHED_BY, else the operating-system user."""
    try:
        return get_settings().published_by or getpass.getuser()
    except (KeyError, OSError):  # a container user without a passwd entry
        return f"uid {os.getuid()}"


def _now() -> str:
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")


def _gate(staged: Path, source: Path, gated: bool, today, threshold: float, current: Optional[int]) -> List[str]:
    """The lint's problems (which include the knowledge base's own validation), naming the files
    under ``source``, where they have to be fixed. Gated, any problem refuses the publish;
    ungated, only data that cannot be served at all is refused."""
    if not gated:
        try:
            load_kb(staged)
        except KnowledgeBaseError as error:
            raise PublishError(f"发布已取消：政策数据有错误，无法使用（{_label(current)}）：", error.problems) from None
    found = lint(staged, today=today, threshold=threshold)
    problems = [str(p).replace(display_path(staged), display_path(source)) for p in found]
    if problems and gated:
        raise PublishError(
            f"发布已取消：常见问题检查发现 {len(problems)} 个问题，在线版本保持不变（{_label(current)}）。"
            "请改正后重新运行 make faq-publish：",
            problems,
        )
    return problems


def _label(version: Optional[int]) -> str:
    return f"第 {version} 版" if version else "尚未发布任何版本"


def _event(action: str, version: int, previous: Optional[int], by: Optional[str], summary: str, note: str) -> dict:
    return {
        "action": action,
        "version": version,
        "previous": previous,
        "by": by or publisher(),
        "at": _now(),
        "summary": summary,
        "note": note,
    }


def _commit(staging: Path, root: Path, current: Optional[int], problems: List[str], by, note: str) -> Optional[dict]:
    """Turn the checked staging copy into the next numbered version, with its meta.json and diff
    against the current version; None (and no version) when nothing changed."""
    old = data_files(version_dir(root, current) / "data" if current else None)
    new = data_files(staging / "data")
    if old == new:
        return None
    version = max(versions(root), default=0) + 1
    event = _event("publish", version, current, by, summarize(old, new), note)
    write_json(staging / "meta.json", {**event, "lint_problems": problems})
    (staging / "changes.diff").write_text(unified_diff(old, new), encoding="utf-8")
    staging.rename(version_dir(root, version))
    return event


def publish(
    data_dir: Path = DATA_DIR,
    root: Optional[Path] = None,
    *,
    by: Optional[str] = None,
    note: str = "",
    today: Optional[dt.date] = None,
    threshold: float = DEFAULT_THRESHOLD,
    gated: bool = True,
) -> Optional[int]:
    """Publish ``data_dir`` as a new version and make it current; None if nothing changed.

    The copy is checked, not ``data_dir`` itself, so an edit saved meanwhile cannot slip through."""
    root = root or publish_root()
    with locked(root):
        current = current_version(root)
        staging = root / "versions" / f".staging-{os.getpid()}"
        shutil.rmtree(staging, ignore_errors=True)
        try:
            shutil.copytree(data_dir, staging / "data", ignore=_IGNORED)
            problems = _gate(staging / "data", data_dir, gated, today, threshold, current)
            event = _commit(staging, root, current, problems, by, note)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        if event is None:
            return None
        switch(root, event["version"])
        record(root, event)
    if problems:  # only when not gated: the launcher's first publish must not leave residents without answers
        logger.warning(
            "知识库第 %d 版已发布，但常见问题检查有 %d 个问题待处理：\n%s",
            event["version"],
            len(problems),
            "\n".join(problems),
        )
    return event["version"]


def rollback(version: int, root: Optional[Path] = None, *, by: Optional[str] = None, note: str = "") -> int:
    """Make an earlier (or any other) published version current again; returns the one replaced."""
    root = root or publish_root()
    with locked(root):
        current = current_version(root)
        if version not in versions(root):
            known = "、".join(str(v) for v in versions(root)) or "无"
            raise PublishError(f"没有第 {version} 版。已发布的版本：{known}。")
        if version == current:
            raise PublishError(f"第 {version} 版已经是在线版本，不需要切换。")
        try:
            load_kb(version_dir(root, version) / "data")
        except KnowledgeBaseError as error:
            raise PublishError(
                f"第 {version} 版在当前程序下无法加载，已取消回滚，在线版本保持不变：", error.problems
            ) from None
        switch(root, version)
        record(root, _event("rollback", version, current, by, f"从{_label(current)}切换回第 {version} 版", note))
    return current


def ensure_published(data_dir: Path = DATA_DIR, root: Optional[Path] = None) -> Path:
    """The directory the assistant should serve (set POLICY_KB_DIR to it), publishing the
    repository's data first if nothing is published yet.

    That first publish is not held back by the lint (an overdue review date must not leave
    residents with no assistant at all); data that does not load is still refused, and the lint
    problems are logged and kept in the version's meta.json."""
    root = root or publish_root()
    if current_version(root) is None:
        publish(data_dir, root, note="启动时自动发布（此前没有已发布的版本）", gated=False)
    return root / CURRENT


def format_history(root: Path) -> str:
    """Every publish and rollback, oldest first, then the version residents see now."""
    events = history(root)
    if not events:
        return "还没有发布过任何版本。修改检查无误后运行 make faq-publish 发布。"
    lines = []
    for event in events:
        action = "发布" if event["action"] == "publish" else "切换"
        note = f"（{event['note']}）" if event.get("note") else ""
        when = event["at"][:19].replace("T", " ")
        lines.append(f"第 {event['version']} 版  {when}  {action}  {event['by']}  {event['summary']}{note}")
    current = current_version(root)
    lines.append(
        f"当前在线：{_label(current)}"
        + (f"；改动明细见 {display_path(version_dir(root, current))}/changes.diff" if current else "")
    )
    return "\n".join(lines)


def _version_arg(value: str) -> int:
    if not value.strip().isdigit():
        raise argparse.ArgumentTypeError(f"版本号应为数字（见 make faq-history），实际为 {value!r}")
    return int(value)


def _parser() -> ChineseArgumentParser:
    parser = ChineseArgumentParser(
        prog="python -m policy_kb.authoring.publish", description="发布、查看和回滚政策知识库版本"
    )
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("publish", help="检查并发布 policy_kb/data 为新版本")
    run.add_argument("--note", default="", help="本次发布的说明")
    run.add_argument("--threshold", type=threshold_arg, default=DEFAULT_THRESHOLD, help="近似重复的相似度阈值")
    commands.add_parser("history", help="列出发布和回滚记录")
    commands.add_parser("ensure", help="还没有发布过时先发布一次，然后输出助手应读取的目录（make run 启动时用）")
    back = commands.add_parser("rollback", help="切换回某个已发布的版本")
    back.add_argument("version", type=_version_arg, help="版本号，例如 2")
    back.add_argument("--note", default="", help="回滚原因")
    return parser


def _run(args) -> str:
    root = publish_root()
    if args.command == "history":
        return format_history(root)
    if args.command == "ensure":
        return str(ensure_published(DATA_DIR, root))
    if args.command == "rollback":
        previous = rollback(args.version, root, note=args.note)
        return f"已切换：在线版本从第 {previous} 版改为第 {args.version} 版，助手下一条消息起使用该版本。"
    version = publish(DATA_DIR, root, note=args.note, threshold=args.threshold)
    if version is None:
        return f"没有需要发布的修改：policy_kb/data 与在线的{_label(current_version(root))}相同。"
    return (
        f"已发布第 {version} 版，助手下一条消息起使用该版本，无需重新训练。\n"
        f"摘要：{history(root)[-1]['summary']}\n改动明细：{display_path(version_dir(root, version))}/changes.diff"
    )


def main(argv: Optional[List[str]] = None) -> int:
    args = _parser().parse_args(argv)
    try:
        print(_run(args))
    except PublishError as error:
        print(error, file=sys.stderr)
        return 1
    except SettingsError as error:  # production mode refuses a default secret in every process
        print(f"错误：{error}", file=sys.stderr)
        return 2
    except OSError as error:
        print(f"错误：无法读写 {error.filename or '发布目录'}：{error.strerror}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
