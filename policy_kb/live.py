"""The knowledge base as the running assistant sees it: reloaded when its files change.

A communications officer's edit to an answer is live on the next message, with no retraining
and no restart. A broken edit never reaches residents: the last good version stays in service
and the problems are logged for the operator.

In service the launcher points POLICY_KB_DIR at the published version (``var/kb/current``, a
symlink that ``make faq-publish`` and ``make faq-rollback`` switch atomically); without it, the
repository's policy_kb/data is read directly, as in tests and training.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import threading
from functools import lru_cache
from pathlib import Path
from typing import Iterator, Optional, Tuple

import yaml

from platform_core.settings import get_settings
from policy_kb.loader import DATA_DIR, KnowledgeBase, KnowledgeBaseError, load_kb
from policy_kb.search import FaqIndex

logger = logging.getLogger(__name__)


def served_data_dir() -> Path:
    """POLICY_KB_DIR when the launcher set it (the published version), else policy_kb/data."""
    return get_settings().policy_kb_dir or DATA_DIR


class LiveKnowledgeBase:
    def __init__(self, data_dir: Optional[Path] = None):
        self._data_dir = Path(data_dir) if data_dir is not None else served_data_dir()
        self._lock = threading.Lock()
        self._stamp: Optional[Tuple] = None
        self._current: Optional[Tuple[KnowledgeBase, FaqIndex]] = None

    def _files_stamp(self) -> Tuple:
        """The directory the path resolves to (a publish or rollback switches the symlink, so a
        new target means a new version) and every file's time and size."""
        real = self._data_dir.resolve()
        return (str(real),) + tuple(_yml_stats(str(real)))

    def get(self) -> Tuple[KnowledgeBase, FaqIndex]:
        """The current knowledge base and its search index (reloaded if a file changed)."""
        stamp = self._files_stamp()
        with self._lock:
            if stamp != self._stamp:
                self._reload(stamp)
            assert self._current is not None
            return self._current

    def _reload(self, stamp: Tuple) -> None:
        try:
            kb = with_current_messages(load_kb(Path(stamp[0])))  # the resolved version: never two mixed
        except KnowledgeBaseError as error:
            if self._current is None:
                raise
            logger.error("知识库更新未生效，继续使用上一版本：%s", error)
        else:
            self._current = (kb, FaqIndex(kb))
            logger.info("知识库已加载：%d 条问答", len(kb.faqs))
        self._stamp = stamp


def with_current_messages(kb: KnowledgeBase) -> KnowledgeBase:
    """The served version's system texts, and the repository's for any key it predates: a version
    published before an upgrade added a message (out_of_scope_detail, question_kinds …) must not
    break the new code that uses it. The version's own texts always win."""
    repository = _repository_messages()
    missing = {key: value for key, value in repository.items() if key not in kb.messages}
    return dataclasses.replace(kb, messages={**missing, **kb.messages}) if missing else kb


@lru_cache(maxsize=1)
def _repository_messages() -> dict:
    with (DATA_DIR / "messages.yml").open(encoding="utf-8") as handle:
        return yaml.safe_load(handle) or {}


def _yml_stats(folder: str) -> Iterator[Tuple[str, int, int]]:
    """(path, mtime, size) of every .yml file under ``folder``, in a stable order. Checked on every
    action call: os.scandir with one stat per file takes 59 µs here, pathlib's rglob 160 µs."""
    for entry in sorted(os.scandir(folder), key=lambda e: e.name):
        if entry.is_dir():
            yield from _yml_stats(entry.path)
        elif entry.name.endswith(".yml"):
            info = entry.stat()
            yield entry.path, info.st_mtime_ns, info.st_size


KNOWLEDGE = LiveKnowledgeBase()
