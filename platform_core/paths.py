"""The repository's directories, computed here once (every package used to find the root itself)."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
VAR = REPO / "var"  # run-time data: the embedded SQLite files, the published knowledge base
POLICY_DATA = REPO / "policy_kb" / "data"
NLU_DIR = REPO / "data" / "nlu"
DOMAIN_DIR = REPO / "bot" / "domain"
MIGRATIONS = REPO / "migrations"
WEBCHAT_DIST = REPO / "webchat" / "dist"
