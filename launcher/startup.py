"""What every launcher checks and prepares before it starts anything (make run, make run-scaled)."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Optional


def refusal() -> Optional[str]:
    """Why this environment must not serve residents (production mode with a default or missing
    secret, a bad REST integration), in Chinese; None when it may start."""
    from platform_core.settings import startup_refusal

    return startup_refusal()  # the REST integrations are settings too, checked there


def use_published_knowledge_base() -> bool:
    """Point every process at the published knowledge base (make faq-publish), not whatever is
    being edited, unless POLICY_KB_DIR names one; False (with the reason printed) if it fails.

    In a child process: publishing loads jieba, bm25s and scipy, 150 MB a supervisor would keep."""
    if "POLICY_KB_DIR" in os.environ:
        return True
    ensured = subprocess.run(
        [sys.executable, "-m", "policy_kb.authoring.publish", "ensure"], capture_output=True, text=True
    )
    if ensured.returncode != 0:
        print(ensured.stderr, file=sys.stderr)
        return False
    os.environ["POLICY_KB_DIR"] = ensured.stdout.strip().splitlines()[-1]
    return True
