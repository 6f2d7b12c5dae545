"""The systems under evaluation that need Rasa: a model served by the whole running stack, and
baseline (b), the whitespace-tokenised default pipeline, trained on the same data."""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable, List

import requests

from policy_kb.loader import KnowledgeBase
from tests.eval import heldout
from tests.stack import REPO, Stack, running_stack

WHITESPACE_CONFIG = REPO / "tests" / "eval" / "baseline_whitespace_config.yml"
WHITESPACE_MODEL_NAME = "baseline-whitespace"


def rasa_command() -> str:
    return str(Path(sys.executable).with_name("rasa"))


def train_whitespace(out_dir: Path) -> Path:
    """Train baseline (b) with the project's domain, NLU data and stories into ``out_dir``
    (never models/). Rasa's training cache makes an unchanged retrain quick."""
    out_dir.mkdir(parents=True, exist_ok=True)
    command = [rasa_command(), "train", "--config", str(WHITESPACE_CONFIG), "--domain", "bot/domain"]
    command += ["--data", "data", "--out", str(out_dir), "--fixed-model-name", WHITESPACE_MODEL_NAME]
    subprocess.run(command, cwd=REPO, check=True)
    return out_dir / f"{WHITESPACE_MODEL_NAME}.tar.gz"


def _asker(stack: Stack, prefix: str) -> Callable[[str, int], str]:
    """Every question in a fresh conversation; a failed request is a miss, not a crashed run."""

    def answer(text: str, n: int) -> str:
        try:
            reply, _ = stack.ask(text, sender=f"{prefix}-{n}")
        except (AssertionError, requests.RequestException) as error:
            return f"（请求失败：{error}）"
        return reply

    return answer


def through_stack(kb: KnowledgeBase, cases: List[dict], model: Path, prefix: str) -> dict:
    """Start the stack with ``model``, ask every case, stop it; start-up time is reported apart."""
    with tempfile.TemporaryDirectory() as tmp:
        started = time.monotonic()
        # a private status store: opening the status form must not touch var/status.db
        env = {"STATUS_DB_URL": f"sqlite:///{Path(tmp) / 'status.db'}"}
        with running_stack(Path(tmp), str(model), env) as stack:
            startup = time.monotonic() - started
            scored = heldout.run(kb, cases, _asker(stack, prefix))
    return {**scored, "startup_seconds": round(startup, 1), "model": str(model)}
