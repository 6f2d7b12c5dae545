"""The held-out set must stay unseen: no question in it may appear in the training data or FAQ
phrasings, exactly or nearly (character-bigram Jaccard similarity ≥ 0.8)."""

import re

import yaml

from policy_kb.text import normalise
from tests.conftest import REPO

NEAR_DUPLICATE = 0.8


def _key(text):
    return re.sub(r"[\W_]+", "", normalise(text))


def _bigrams(text):
    key = _key(text)
    return {key[i : i + 2] for i in range(len(key) - 1)} or {key}


def _training_texts(kb):
    texts = []
    for path in (REPO / "data" / "nlu").glob("*.yml"):
        for block in yaml.safe_load(path.read_text(encoding="utf-8"))["nlu"]:
            if "intent" in block:
                for line in block["examples"].splitlines():
                    plain = re.sub(r"\[([^\]]+)\](\([^)]*\)|\{[^}]*\})", r"\1", line.strip()[2:])
                    texts.append(plain)
    texts += [p for faq in kb.faqs.values() for p in (faq.question, *faq.phrasings)]
    return texts


def test_heldout_questions_are_not_in_training_data(kb):
    cases = yaml.safe_load((REPO / "tests" / "eval" / "heldout.yml").read_text(encoding="utf-8"))["cases"]
    training = [(t, _bigrams(t)) for t in _training_texts(kb)]
    exact = {_key(t) for t, _ in training}
    leaks = []
    for case in cases:
        grams = _bigrams(case["text"])
        if _key(case["text"]) in exact:
            leaks.append((case["text"], "exact"))
            continue
        for text, other in training:
            if len(grams & other) / len(grams | other) >= NEAR_DUPLICATE:
                leaks.append((case["text"], text))
                break
    assert len(cases) >= 200
    assert not leaks, leaks
