"""What changed between two versions of the policy data: the reviewer's summary and the diff."""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Dict, List, Optional

import yaml


def data_files(data_dir: Optional[Path]) -> Dict[str, str]:
    """Relative path → text of every data file (nothing before the first version)."""
    if data_dir is None:
        return {}
    return {
        str(p.relative_to(data_dir)): p.read_text(encoding="utf-8")
        for p in sorted(data_dir.rglob("*"))
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(data_dir).parts)
    }


def unified_diff(old: Dict[str, str], new: Dict[str, str]) -> str:
    """Every changed file as a unified diff (a/ old, b/ new), as ``git diff`` shows it."""
    lines: List[str] = []
    for name in sorted(set(old) | set(new)):
        a, b = old.get(name, "").splitlines(keepends=True), new.get(name, "").splitlines(keepends=True)
        lines += difflib.unified_diff(a, b, f"a/{name}", f"b/{name}")
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)


def _entries(files: Dict[str, str]) -> Dict[str, dict]:
    """FAQ entries by id, as written (compared to tell added, changed and removed entries)."""
    found: Dict[str, dict] = {}
    for name, text in files.items():
        if name.startswith("faqs/") and name.endswith(".yml"):
            found.update({str(e.get("id")): e for e in (yaml.safe_load(text) or {}).get("faqs") or []})
    return found


def summarize(old: Dict[str, str], new: Dict[str, str]) -> str:
    """What a reviewer wants first: 新增问答 a；修改问答 b、c；涉及文件 faqs/settle.yml."""
    before, after = _entries(old), _entries(new)
    if not old:
        return f"首次发布：{len(after)} 条问答"
    parts = [
        f"{label} {'、'.join(ids)}"
        for label, ids in (
            ("新增问答", [i for i in after if i not in before]),
            ("修改问答", [i for i in after if i in before and after[i] != before[i]]),
            ("删除问答", [i for i in before if i not in after]),
        )
        if ids
    ]
    changed = [name for name in sorted(set(old) | set(new)) if old.get(name) != new.get(name)]
    return "；".join(parts + [f"涉及文件 {'、'.join(changed)}"])
