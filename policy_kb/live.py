"""The knowledge base as the running assistant sees it: reloaded when its files change.

A communications officer's edit to an answer is live on the next message, with no retraining
and no restart. A broken edit never reaches residents: the last good version stays in service
and the problems are logged for the operator.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Optional, Tuple

from policy_kb.loader import DATA_DIR, KnowledgeBase, KnowledgeBaseError, load_kb
from policy_kb.search import FaqIndex

logger = logging.getLogger(__name__)


class LiveKnowledgeBase:
    def __init__(self, data_dir: Path = DATA_DIR):
        self._data_dir = data_dir
        self._lock = threading.Lock()
        self._stamp: Optional[Tuple] = None
        self._current: Optional[Tuple[KnowledgeBase, FaqIndex]] = None

    def _files_stamp(self) -> Tuple:
        files = sorted(self._data_dir.rglob("*.yml"))
        return tuple((str(f), f.stat().st_mtime_ns, f.stat().st_size) for f in files)

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
            kb = load_kb(self._data_dir)
        except KnowledgeBaseError as error:
            if self._current is None:
                raise
            logger.error("知识库更新未生效，继续使用上一版本：%s", error)
        else:
            self._current = (kb, FaqIndex(kb))
            logger.info("知识库已加载：%d 条问答", len(kb.faqs))
        self._stamp = stamp


KNOWLEDGE = LiveKnowledgeBase()
