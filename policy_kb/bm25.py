"""The BM25 library (bm25s), imported so that it ranks with numpy rather than JAX.

bm25s uses JAX for its top-k whenever JAX can be imported, and JAX is in our lock only because
TensorFlow 2.12 requires it. Importing bm25s then starts a JAX CPU backend in every process that
searches (action server, web page and console, FAQ publishing): memory, threads and start-up time
in every process, while its top-k over our few dozen FAQ entries is slower than numpy's. JAX is
hidden only while bm25s is first imported; anything else may still import it afterwards.
"""

from __future__ import annotations

import importlib
import sys
from types import ModuleType


def _import_without_jax() -> ModuleType:
    if "bm25s" in sys.modules:  # already imported elsewhere: one module object per process
        return sys.modules["bm25s"]
    missing = object()
    jax = sys.modules.get("jax", missing)
    sys.modules["jax"] = None  # type: ignore[assignment]  # "import jax.lax" raises ImportError
    try:
        return importlib.import_module("bm25s")
    finally:
        if jax is missing:
            del sys.modules["jax"]
        else:
            sys.modules["jax"] = jax


bm25s = _import_without_jax()
BM25 = bm25s.BM25
