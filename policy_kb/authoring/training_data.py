"""What the trained Rasa model knows, read from its source files: the domain's intents and the
NLU training examples (``data/nlu/*.yml``).

FAQ phrasings are not training data (they feed the BM25 search, rebuilt on every reload), so a
FAQ edit never needs retraining — unless it names an intent the model was never trained on, or
a phrasing reads like another intent's training example. The FAQ lint checks both against these
files. Plain YAML reading: nothing of Rasa is imported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, List, Set, Tuple

import yaml

from platform_core.paths import DOMAIN_DIR, NLU_DIR
from policy_kb.yaml_io import YAML_LOADER

# libyaml when available: these files are large and read on every check
# Entity annotations in an example: [乐昌]{"entity": ...} or [武江区](district) → 乐昌 / 武江区
_ANNOTATION = re.compile(r"\[([^\]]*)\](?:\([^)]*\)|\{[^}]*\})")


@dataclass(frozen=True)
class Example:
    text: str  # without entity annotations
    intent: str
    path: Path
    line: int  # 1-based


def domain_intents(domain_dir: Path = DOMAIN_DIR) -> Set[str]:
    """Every intent declared in the domain files (plain names or ``{name: {...}}``)."""
    intents: Set[str] = set()
    for path in sorted(domain_dir.glob("*.yml")):
        for item in (yaml.load(path.read_text(encoding="utf-8"), Loader=YAML_LOADER) or {}).get("intents") or []:
            intents.update(item.keys() if isinstance(item, dict) else [str(item)])
    return intents


def _examples(intent: str, block: yaml.ScalarNode, path: Path) -> List[Example]:
    """The ``- example`` lines of one intent's literal block (``examples: |``), which starts on
    the line after its key."""
    first_line = block.start_mark.line + 2
    examples = []
    for offset, line in enumerate(block.value.splitlines()):
        line = line.strip()
        if line.startswith("- "):
            examples.append(Example(_ANNOTATION.sub(r"\1", line[2:]).strip(), intent, path, first_line + offset))
    return examples


def _intent_blocks(path: Path) -> Iterator[Tuple[str, yaml.ScalarNode]]:
    """(intent, examples node) for each intent block; nodes keep their line numbers."""
    root = yaml.compose(path.read_text(encoding="utf-8"), Loader=YAML_LOADER)
    top = {key.value: value for key, value in root.value} if isinstance(root, yaml.MappingNode) else {}
    for block in getattr(top.get("nlu"), "value", []):
        fields = {key.value: value for key, value in block.value} if isinstance(block, yaml.MappingNode) else {}
        if "intent" in fields and isinstance(fields.get("examples"), yaml.ScalarNode):
            yield fields["intent"].value, fields["examples"]


def nlu_examples(nlu_dir: Path = NLU_DIR) -> List[Example]:
    """Every intent example in ``data/nlu`` (synonyms and lookup tables are not examples)."""
    return [
        example
        for path in sorted(nlu_dir.glob("*.yml"))
        for intent, block in _intent_blocks(path)
        for example in _examples(intent, block, path)
    ]
