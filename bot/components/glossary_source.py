"""Shared by the custom NLU components: read the glossary file and fingerprint its content."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import List

import yaml

from policy_kb.loader import parse_glossary
from policy_kb.model import GlossaryTerm

DEFAULT_GLOSSARY = "policy_kb/data/glossary.yml"


def read_glossary(path: str) -> List[GlossaryTerm]:
    with Path(path).open(encoding="utf-8") as handle:
        return parse_glossary(yaml.safe_load(handle) or {})


def file_fingerprint(path: str) -> str:
    """Hash of the file's bytes. Rasa's training cache keys on component config only, so a
    glossary edited in place would otherwise leave the old vocabulary inside the model."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()
