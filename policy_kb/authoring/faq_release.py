"""Publish a reviewed set of FAQ changes from the staff console, through ``make faq-publish``'s
own machinery (policy_kb/authoring/publish.py): same lint gate, same numbered versions, same history.

What is published is the version residents see now plus exactly the approved entries, never
other unpublished edits lying in policy_kb/data. The same entries are then written into
policy_kb/data too, so that a later ``make faq-publish`` from the command line keeps them.
"""

from __future__ import annotations

import datetime as dt
import logging
import shutil
import tempfile
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Sequence

from policy_kb.authoring.faq_edit import read_entries, stamp, write_entries
from policy_kb.authoring.publish import PublishError, publish
from policy_kb.authoring.publish_store import CURRENT, current_version, history, version_dir

logger = logging.getLogger(__name__)


def live_data_dir(root: Path, source_dir: Path) -> Path:
    """The data residents are served: the current published version, else the source files."""
    return root / CURRENT if current_version(root) is not None else source_dir


def stale_entries(changes: Sequence[Mapping[str, Any]], live: Path) -> List[str]:
    """Ids whose live entry is no longer the one the change was made against."""
    entries = read_entries(live)
    return [c["id"] for c in changes if stamp(entries.get(c["id"])) != c["base_stamp"]]


def publish_changes(
    changes: Sequence[Mapping[str, Any]],
    *,
    source_dir: Path,
    root: Path,
    by: str,
    note: str,
    today: Optional[dt.date] = None,
) -> int:
    """Publish the live version plus ``changes`` (each: ``base_stamp`` and ``after`` values) as the
    next version; returns its number. Raises PublishError, changing nothing, when the lint fails,
    a change was made against an entry that has changed since, or nothing would change."""
    stale = stale_entries(changes, live_data_dir(root, source_dir))
    if stale:
        raise PublishError(
            f"问答 {'、'.join(stale)} 在这份修改提交后已被另一次发布或回滚改变，" "请退回作者按在线版本重新修改。"
        )
    afters = [c["after"] for c in changes]
    with tempfile.TemporaryDirectory(prefix="faq-release-") as scratch:
        staged = Path(scratch) / "data"
        shutil.copytree(live_data_dir(root, source_dir), staged)
        write_entries(staged, afters)
        version = publish(staged, root, by=by, note=note, today=today)
    if version is None:
        raise PublishError("没有需要发布的修改：与在线版本相同。")
    try:
        write_entries(source_dir, afters)
    except OSError as error:
        # Residents have the version all the same; only a later make faq-publish from source_dir
        # would lack these entries (an image's read-only policy_kb/data, in Kubernetes say).
        logger.warning(
            "告警：第 %s 版已发布，但未能写回 %s（%s）：在该目录上运行 make faq-publish 不会包含这次的修改",
            version,
            source_dir,
            error.strerror or error,
        )
    return version


def version_events(root: Path) -> List[Dict[str, Any]]:
    """Every publish and rollback, newest first, each with the diff of its version."""
    events = []
    for event in reversed(history(root)):
        diff_file = version_dir(root, event["version"]) / "changes.diff"
        diff = diff_file.read_text(encoding="utf-8") if event["action"] == "publish" and diff_file.exists() else ""
        events.append({**event, "diff": diff})
    return events
