"""Searching never starts JAX, and JAX stays importable for anything else."""

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

_PROBE = """
import json, sys
from policy_kb.live import KNOWLEDGE
_, index = KNOWLEDGE.get()
hits = index.search("租房可以落户吗")  # the search the actions run
jax_after_search = "jax" in sys.modules
from bm25s import selection
import jax.lax  # still importable by anything else
print(json.dumps({"hits": len(hits), "jax_after_search": jax_after_search,
                  "bm25s_uses_jax": selection.JAX_IS_AVAILABLE, "jax_later": "jax.lax" in sys.modules}))
"""


def test_searching_the_faq_ranks_with_numpy_and_leaves_jax_importable():
    # A fresh interpreter: whether JAX starts is decided once, at bm25s's first import.
    done = subprocess.run(
        [sys.executable, "-c", _PROBE],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 0, done.stderr[-2000:]
    probe = json.loads(done.stdout.strip().splitlines()[-1])
    assert probe["hits"] > 0
    assert probe == {"hits": probe["hits"], "jax_after_search": False, "bm25s_uses_jax": False, "jax_later": True}
