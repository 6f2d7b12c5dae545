"""The glossary as jieba user-dictionary lines, entity synonyms and Rasa lookup tables."""

from __future__ import annotations

import hashlib
from typing import Dict, Iterable, List

import yaml

from policy_kb.model import GlossaryTerm

# Higher than jieba's frequency for everyday words, so 集体户 stays one token.
JIEBA_FREQUENCY = 20000


def all_forms(terms: Iterable[GlossaryTerm]) -> List[str]:
    return [form for term in terms for form in term.surface_forms]


def synonym_map(terms: Iterable[GlossaryTerm]) -> Dict[str, str]:
    """Each synonym → its canonical term (the canonical term maps to itself)."""
    return {form: term.term for term in terms for form in term.surface_forms}


def jieba_dictionary(terms: Iterable[GlossaryTerm]) -> str:
    """jieba's user dictionary format: ``word frequency`` per line, longest words first."""
    forms = sorted(set(all_forms(terms)), key=lambda w: (-len(w), w))
    return "".join(f"{form} {JIEBA_FREQUENCY}\n" for form in forms if " " not in form)


def fingerprint(terms: Iterable[GlossaryTerm]) -> str:
    """Content hash of the dictionary, so a changed glossary always changes the trained model."""
    return hashlib.sha256(jieba_dictionary(terms).encode("utf-8")).hexdigest()[:16]


def rasa_nlu_yaml(terms: List[GlossaryTerm]) -> str:
    """Rasa training data with one synonym block per term and one lookup table per entity."""
    nlu: List[dict] = []
    for term in terms:
        if term.entity and term.synonyms:
            nlu.append({"synonym": term.term, "examples": _bullets(term.synonyms)})
    for entity in sorted({t.entity for t in terms if t.entity}):
        forms = [f for t in terms if t.entity == entity for f in t.surface_forms]
        nlu.append({"lookup": entity, "examples": _bullets(forms)})
    header = (
        "# 自动生成，请勿手工修改：来源 policy_kb/data/glossary.yml。\n"
        "# 修改词表后运行 make generate（make train / make run 会自动执行）。\n"
    )
    body = yaml.dump({"version": "3.1", "nlu": nlu}, allow_unicode=True, sort_keys=False, Dumper=_LiteralDumper)
    return header + body


def _bullets(items: Iterable[str]) -> "_Literal":
    return _Literal("".join(f"- {item}\n" for item in items))


class _Literal(str):
    """A string dumped in YAML block style, as Rasa's examples are written."""


class _LiteralDumper(yaml.SafeDumper):
    pass


_LiteralDumper.add_representer(
    _Literal, lambda dumper, data: dumper.represent_scalar("tag:yaml.org,2002:str", data, style="|")
)
