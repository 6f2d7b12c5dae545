"""The yardstick: a bare Rasa server answering from a trivial model.

A tiny domain (four intents, four responses, one rule each), WhitespaceTokenizer + CountVectors +
a few DIET epochs, trained once per benchmark run into var/bench/. It keeps the same SQLite
tracker store as our stack, so the ratio "ours ÷ bare" measures what our pipeline, actions and
channel guard cost, not a storage choice. It gets the very same messages as our stack; every
reply must be one of its responses (they all carry BARE_MARK).

WhitespaceTokenizer refuses language "zh", so the project says "en": a Chinese sentence then is
one token, and the character n-gram CountVectors carry the signal. That is fine for a yardstick.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Dict, Iterable, List, Tuple

import yaml

from bench.scripts import REPO, Script, Turn

BARE_MARK = "基准模型"
EPOCHS = 10

CONFIG = {
    "recipe": "default.v1",
    "language": "en",
    "assistant_id": "bench-bare",
    "pipeline": [
        {"name": "WhitespaceTokenizer"},
        {"name": "CountVectorsFeaturizer"},
        {"name": "CountVectorsFeaturizer", "analyzer": "char_wb", "min_ngram": 1, "max_ngram": 3},
        {"name": "DIETClassifier", "epochs": EPOCHS, "random_seed": 42},
    ],
    "policies": [{"name": "RulePolicy"}],
}
# intent -> extra examples; the benchmark's own messages are added by topic below.
INTENTS: Dict[str, List[str]] = {
    "greet": ["你好", "您好", "早上好", "hello", "hi"],
    "ask_policy": ["租房可以落户吗", "居住证有什么用", "老人投靠子女", "新生儿怎么上户口", "进城落户要交回宅基地吗"],
    "give_info": ["我本科毕业", "初中毕业", "冇", "唔系", "系", "喺县城", "住亲戚屋企"],
    "check_status": ["查进度", "我的申请办到哪一步了", "SG2026110001", "121017", "帮我查下进度"],
}
RESPONSES = {intent: f"（{BARE_MARK}）{intent} 的固定回答。" for intent in INTENTS}


def _intent_for(text: str) -> str:
    if any(word in text for word in ("你好", "您好")):
        return "greet"
    if "查" in text or any(c.isdigit() for c in text):
        return "check_status"
    if any(word in text for word in ("吗", "？", "?", "怎么", "什么", "有冇", "能不能")):
        return "ask_policy"
    return "give_info"


def write_project(folder: Path, messages: Iterable[str]) -> Path:
    """The trivial project (config, domain, data, endpoints, credentials) in ``folder``."""
    examples = {intent: list(texts) for intent, texts in INTENTS.items()}
    for text in messages:
        if text not in examples[_intent_for(text)]:
            examples[_intent_for(text)].append(text)
    folder.mkdir(parents=True, exist_ok=True)
    nlu = [{"intent": i, "examples": "".join(f"- {t}\n" for t in texts)} for i, texts in examples.items()]
    rules = [{"rule": f"answer {i}", "steps": [{"intent": i}, {"action": f"utter_{i}"}]} for i in INTENTS]
    domain = {
        "version": "3.1",
        "intents": list(INTENTS),
        "responses": {f"utter_{i}": [{"text": text}] for i, text in RESPONSES.items()},
        "session_config": {"session_expiration_time": 60, "carry_over_slots_to_new_session": True},
    }
    files = {
        "config.yml": CONFIG,
        "domain.yml": domain,
        "data/nlu.yml": {"version": "3.1", "nlu": nlu},
        "data/rules.yml": {"version": "3.1", "rules": rules},
        # the same embedded SQLite tracker store as ours; the path comes from the environment
        "endpoints.yml": {"tracker_store": {"type": "SQL", "dialect": "sqlite", "db": "${BARE_TRACKER_DB}"}},
        "credentials.yml": {"rest": None},
    }
    for name, content in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(yaml.safe_dump(content, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return folder


def training_env(cache: Path) -> dict:
    """The environment for a `rasa train` that starts from its own (empty) cache."""
    return {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "RASA_TELEMETRY_ENABLED": "false",
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "RASA_CACHE_DIRECTORY": str(cache),
    }


def train(project: Path) -> Tuple[Path, float]:
    """Train the trivial model from scratch (its own empty cache); the model path and seconds taken."""
    project = project.resolve()
    out = project / "models"
    env = training_env(project / ".rasa-cache")
    rasa = str(Path(sys.executable).with_name("rasa"))
    started = time.monotonic()
    done = subprocess.run(
        [
            rasa,
            "train",
            "--config",
            "config.yml",
            "--domain",
            "domain.yml",
            "--data",
            "data",
            "--out",
            str(out),
            "--fixed-model-name",
            "bare",
        ],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    elapsed = time.monotonic() - started
    if done.returncode != 0:
        raise RuntimeError(f"training the bare model failed:\n{done.stdout[-3000:]}{done.stderr[-3000:]}")
    model = out / "bare.tar.gz"
    if not model.is_file():
        raise RuntimeError(f"training the bare model wrote no {model}")
    return model, elapsed


def bare_scripts(scripts: Iterable[Script]) -> Tuple[Script, ...]:
    """The same conversations, each reply checked only for being one of the bare model's answers."""
    return tuple(Script(s.name, s.kind, tuple(Turn(t.text, (BARE_MARK,)) for t in s.turns)) for s in scripts)
