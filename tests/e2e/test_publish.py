"""The communications team's promise: an answer edited and published is what residents get within
10 seconds, with no retraining or restart; a broken citation blocks publishing; rollback works."""

import shutil
import time

import pytest

from policy_kb.authoring.publish import PublishError, publish, rollback
from policy_kb.loader import DATA_DIR

LIVE_SECONDS = 10
QUESTION = "租房可以落户吗"
NEW_WORDING = "可以申请（本句为发布测试新写的答案）。"


def _edited_copy(tmp_path, old, new):
    data = tmp_path / "data"
    shutil.rmtree(data, ignore_errors=True)
    shutil.copytree(DATA_DIR, data)
    path = data / "faqs" / "settle.yml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return data


def _seconds_until_served(stack, wording):
    start = time.monotonic()
    while time.monotonic() - start < 30:
        text, _ = stack.ask(QUESTION, sender=f"e2e-publish-{time.monotonic_ns()}")
        if wording in text:
            return time.monotonic() - start
        time.sleep(0.5)
    pytest.fail(f"30 秒内没有看到新答案：{text}")


def test_published_answer_is_live_within_ten_seconds_and_rollback_restores_it(stack, tmp_path):
    original, _ = stack.ask(QUESTION, sender="e2e-publish-before")
    assert "第（三）条" in original and NEW_WORDING not in original
    data = _edited_copy(tmp_path, "可以申请。《实施意见》规定", NEW_WORDING + "《实施意见》规定")
    version = publish(data, stack.kb_publish_dir, by="宣传科测试", note="e2e")
    assert _seconds_until_served(stack, NEW_WORDING) <= LIVE_SECONDS
    rollback(version - 1, stack.kb_publish_dir, by="宣传科测试")
    assert _seconds_until_served(stack, "可以申请。《实施意见》规定") <= LIVE_SECONDS


def test_broken_citation_blocks_publishing_and_residents_keep_the_current_answer(stack, tmp_path):
    data = _edited_copy(tmp_path, "articles: [三]\n    related: [", "articles: [十九]\n    related: [")
    with pytest.raises(PublishError) as refused:
        publish(data, stack.kb_publish_dir, by="宣传科测试")
    assert "十九" in str(refused.value)
    text, _ = stack.ask(QUESTION, sender="e2e-publish-after")
    assert "第（三）条" in text and "十九" not in text
