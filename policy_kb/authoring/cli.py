"""What the operators' command-line tools share: Chinese usage errors and readable paths."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import NoReturn


class ChineseArgumentParser(argparse.ArgumentParser):
    """argparse, but a wrong argument gets one Chinese line and the usage, not a traceback."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"参数错误：{message}\n{self.format_usage()}")


def display_path(path: Path) -> str:
    """Relative to the current directory when inside it (``policy_kb/data/faqs/settle.yml``),
    so that editors can jump to ``file:line``; absolute otherwise."""
    path = Path(os.path.abspath(path))
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)
