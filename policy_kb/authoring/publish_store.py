"""Where published versions of the knowledge base live, and the one switch residents see.

    var/kb/                       (KB_PUBLISH_DIR)
      versions/0003/data/         a frozen copy of policy_kb/data
      versions/0003/meta.json     who, when, summary, the version it replaced
      versions/0003/changes.diff  unified diff against the version it replaced
      history.jsonl               every publish and rollback, one JSON object a line
      current -> versions/0003/data

The assistant reads ``current`` (POLICY_KB_DIR). Switching it is one ``os.replace`` of a fresh
symlink, which is atomic: a reader sees the old version or the new one, never a mixture, and a
version directory is never changed once written.
"""

from __future__ import annotations

import fcntl
import json
import os
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional

from platform_core.settings import get_settings

CURRENT = "current"
VERSIONS = "versions"
HISTORY = "history.jsonl"


def publish_root() -> Path:
    """KB_PUBLISH_DIR, else var/kb in the repository."""
    return get_settings().kb_publish_dir


def version_dir(root: Path, version: int) -> Path:
    return root / VERSIONS / f"{version:04d}"


def versions(root: Path) -> List[int]:
    """Every complete version (a staging directory in progress starts with a dot)."""
    folder = root / VERSIONS
    return sorted(int(p.name) for p in folder.iterdir() if p.name.isdigit()) if folder.is_dir() else []


def current_version(root: Path) -> Optional[int]:
    """The version residents are served, or None before the first publish."""
    link = root / CURRENT
    if not link.is_symlink():
        return None
    name = Path(os.readlink(link)).parent.name
    return int(name) if name.isdigit() and version_dir(root, int(name)).is_dir() else None


def switch(root: Path, version: int) -> None:
    """Point ``current`` at ``version`` atomically (rename over the old link)."""
    temporary = root / f".{CURRENT}-{os.getpid()}"
    temporary.unlink(missing_ok=True)
    os.symlink(f"{VERSIONS}/{version:04d}/data", temporary)  # relative: the folder may move
    os.replace(temporary, root / CURRENT)


@contextmanager
def locked(root: Path) -> Iterator[None]:
    """One publish or rollback at a time, so two people cannot claim the same version number."""
    root.mkdir(parents=True, exist_ok=True)
    with open(root / ".lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def record(root: Path, event: Dict[str, Any]) -> None:
    with open(root / HISTORY, "a", encoding="utf-8") as handle:
        handle.write(json.dumps(event, ensure_ascii=False) + "\n")
        handle.flush()
        os.fsync(handle.fileno())


def history(root: Path) -> List[Dict[str, Any]]:
    path = root / HISTORY
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def read_meta(root: Path, version: int) -> Dict[str, Any]:
    return json.loads((version_dir(root, version) / "meta.json").read_text(encoding="utf-8"))


def write_json(path: Path, data: Dict[str, Any]) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
