"""The FAQ files as the communications team wrote them: comments, order and line numbers kept.

The loader reads the FAQ into plain records; the tools that point at a line (the lint) or write
the files back (the spreadsheet import) need the YAML as written instead. ruamel.yaml's round-trip
mode gives both, and dumps an unchanged file byte for byte.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError

FAQ_SUBDIR = "faqs"
_YAML_HINT = "常见原因：缩进不齐、冒号后缺空格、引号不成对；出错处也可能在所示行的前几行"


class FaqSourceError(ValueError):
    """A FAQ file is not valid YAML; ``path`` and ``line`` say where, the message says what."""

    def __init__(self, path: Path, line: int, message: str):
        self.path, self.line, self.message = path, line, message
        super().__init__(f"{path}:{line}: {message}")


def round_trip_yaml() -> YAML:
    """The house layout of the FAQ files (two-space maps, lists indented under their key, long
    answers on one line), so that loading and dumping an unchanged file changes nothing."""
    yaml = YAML()
    yaml.preserve_quotes = True
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


@dataclass
class FaqFile:
    path: Path
    document: CommentedMap

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def source(self) -> str:
        """The name the loader gives entries from this file (``faqs/settle.yml``)."""
        return f"{FAQ_SUBDIR}/{self.path.name}"

    @property
    def entries(self) -> CommentedSeq:
        if self.document.get("faqs") is None:  # an empty file: entries appended by an import go here
            self.document["faqs"] = CommentedSeq()
        return self.document["faqs"]

    def entry(self, faq_id: str) -> Optional[CommentedMap]:
        return next((e for e in self.entries if isinstance(e, dict) and str(e.get("id")) == faq_id), None)

    def dump(self) -> str:
        out = io.StringIO()
        round_trip_yaml().dump(self.document, out)
        return out.getvalue()


def read_faq_file(path: Path) -> FaqFile:
    try:
        document = round_trip_yaml().load(path.read_text(encoding="utf-8"))
    except MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        message = f"YAML 格式错误（{_YAML_HINT}）：{error.problem or error.context}"
        raise FaqSourceError(path, mark.line + 1 if mark else 1, message) from error
    if document is None:
        document = CommentedMap()
    if not isinstance(document, CommentedMap) or not isinstance(document.get("faqs") or [], CommentedSeq):
        raise FaqSourceError(path, 1, "文件应以 “faqs:” 开头，下面用 “- id: …” 逐条列出问答")
    _check_entries(path, document.get("faqs") or [])
    return FaqFile(path, document)


def _check_entries(path: Path, entries: CommentedSeq) -> None:
    """Every entry is a "key: value" block; a stray line such as "- 租房可以落户吗" (a phrasing that
    lost its indentation) would otherwise crash every tool that reads the file."""
    for index, entry in enumerate(entries):
        if not isinstance(entry, CommentedMap):
            line = entries.lc.item(index)[0] + 1
            raise FaqSourceError(path, line, f"这一条不是 “字段: 内容” 的格式（{entry!r}），可能是缩进错了")


def read_faq_files(data_dir: Path) -> List[FaqFile]:
    """Every ``faqs/*.yml`` under ``data_dir``, in the loader's order (by file name)."""
    return [read_faq_file(path) for path in sorted((data_dir / FAQ_SUBDIR).glob("*.yml"))]


def entry_line(entry: CommentedMap, field: Optional[str] = None, item: Optional[int] = None) -> int:
    """1-based line of an entry, of one of its fields, or of one item of a list field."""
    if field is None or field not in entry:
        return entry.lc.line + 1
    value = entry[field]
    if item is not None and isinstance(value, CommentedSeq) and item < len(value):
        return value.lc.item(item)[0] + 1
    return entry.lc.key(field)[0] + 1


def entries_by_id(files: List[FaqFile]) -> Dict[tuple, CommentedMap]:
    """(source, id) → the entry as written; the first one wins, as duplicates are reported anyway."""
    found: Dict[tuple, CommentedMap] = {}
    for faq_file in files:
        for entry in faq_file.entries:
            if isinstance(entry, dict):
                found.setdefault((faq_file.source, str(entry.get("id"))), entry)
    return found
