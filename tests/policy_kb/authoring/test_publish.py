"""make faq-publish / faq-history / faq-rollback, and the running assistant following them."""

import datetime as dt
import json
import os

import pytest

from platform_core.settings import get_settings
from policy_kb.authoring import publish as publishing
from policy_kb.authoring.publish import PublishError, ensure_published, format_history, publish, rollback
from policy_kb.authoring.publish_store import current_version, history, publish_root, version_dir
from policy_kb.live import LiveKnowledgeBase

BEFORE_REVIEW = dt.date(2026, 11, 25)  # inside the real data's review dates
NEW_ANSWER = "可以申请（第二版答案）。请拨打{hotline}。"


@pytest.fixture
def root(tmp_path, monkeypatch):
    monkeypatch.setenv("PUBLISHED_BY", "宣传科小王")
    return tmp_path / "kb"


def _edit_answer(data_dir, answer=NEW_ANSWER):
    path = data_dir / "faqs" / "settle.yml"
    text = path.read_text(encoding="utf-8")
    start = text.index("可以申请。《实施意见》规定，在韶关城镇有合法稳定住所的人员，包括租房住的")
    end = text.index("\n", start)
    path.write_text(text[:start] + answer + text[end:], encoding="utf-8")


def _break_citation(data_dir):
    path = data_dir / "faqs" / "settle.yml"
    path.write_text(path.read_text(encoding="utf-8").replace("articles: [三]", "articles: [十九]", 1), encoding="utf-8")


def test_publish_snapshots_the_data_and_switches_current(data_copy, root):
    assert publish(data_copy, root, note="首次上线", today=BEFORE_REVIEW) == 1
    assert os.readlink(root / "current") == "versions/0001/data"
    assert (root / "current" / "faqs" / "settle.yml").read_bytes() == (data_copy / "faqs" / "settle.yml").read_bytes()
    [event] = history(root)
    assert event["action"] == "publish" and event["version"] == 1 and event["by"] == "宣传科小王"
    assert event["summary"].startswith("首次发布：") and event["note"] == "首次上线"
    assert dt.datetime.fromisoformat(event["at"]).tzinfo is not None
    meta = json.loads((version_dir(root, 1) / "meta.json").read_text(encoding="utf-8"))
    assert meta["version"] == 1 and meta["lint_problems"] == []


def test_an_unchanged_publish_makes_no_new_version(data_copy, root):
    publish(data_copy, root, today=BEFORE_REVIEW)
    assert publish(data_copy, root, today=BEFORE_REVIEW) is None
    assert current_version(root) == 1 and len(history(root)) == 1


def test_a_second_publish_records_summary_and_diff(data_copy, root):
    publish(data_copy, root, today=BEFORE_REVIEW)
    _edit_answer(data_copy)
    assert publish(data_copy, root, today=BEFORE_REVIEW) == 2
    event = history(root)[-1]
    assert event["previous"] == 1 and event["summary"] == "修改问答 settle_rent；涉及文件 faqs/settle.yml"
    diff = (version_dir(root, 2) / "changes.diff").read_text(encoding="utf-8")
    assert "--- a/faqs/settle.yml" in diff and f"+      {NEW_ANSWER}" in diff
    assert (version_dir(root, 1) / "data" / "faqs" / "settle.yml").read_text(encoding="utf-8").count(NEW_ANSWER) == 0


def test_a_broken_citation_blocks_publishing_and_keeps_the_current_version(data_copy, root):
    publish(data_copy, root, today=BEFORE_REVIEW)
    _break_citation(data_copy)
    with pytest.raises(PublishError) as refused:
        publish(data_copy, root, today=BEFORE_REVIEW)
    assert "发布已取消" in str(refused.value) and "在线版本保持不变（第 1 版）" in str(refused.value)
    assert any(p.endswith("引用了不存在的条款 “十九”") and "faqs/settle.yml:" in p for p in refused.value.problems)
    assert os.readlink(root / "current") == "versions/0001/data"
    assert sorted(p.name for p in (root / "versions").iterdir()) == ["0001"] and len(history(root)) == 1


def test_an_expired_review_date_blocks_publishing_too(data_copy, root):
    with pytest.raises(PublishError, match="复核日期 2027-06-30 已过"):
        publish(data_copy, root, today=dt.date(2027, 7, 1))
    assert current_version(root) is None


def test_rollback_switches_back_and_is_recorded(data_copy, root):
    publish(data_copy, root, today=BEFORE_REVIEW)
    _edit_answer(data_copy)
    publish(data_copy, root, today=BEFORE_REVIEW)
    assert rollback(1, root, note="答案有误") == 2
    assert current_version(root) == 1 and os.readlink(root / "current") == "versions/0001/data"
    event = history(root)[-1]
    assert (event["action"], event["version"], event["previous"], event["note"]) == ("rollback", 1, 2, "答案有误")
    assert rollback(2, root) == 1  # and forward again
    listing = format_history(root)
    assert (
        "第 1 版" in listing
        and "从第 2 版切换回第 1 版（答案有误）" in listing
        and listing.endswith(f"当前在线：第 2 版；改动明细见 {version_dir(root, 2)}/changes.diff")
    )


def test_rollback_refuses_unknown_and_current_versions(data_copy, root):
    publish(data_copy, root, today=BEFORE_REVIEW)
    with pytest.raises(PublishError, match="没有第 7 版。已发布的版本：1。"):
        rollback(7, root)
    with pytest.raises(PublishError, match="第 1 版已经是在线版本"):
        rollback(1, root)
    assert len(history(root)) == 1


def test_the_live_knowledge_base_follows_publish_and_rollback(data_copy, root):
    publish(data_copy, root, today=BEFORE_REVIEW)
    live = LiveKnowledgeBase(root / "current")
    first = live.get()[0]
    assert first.faqs["settle_rent"].answer.startswith("可以申请。《实施意见》规定")
    assert live.get()[0] is first  # unchanged version: no reload
    _edit_answer(data_copy)
    publish(data_copy, root, today=BEFORE_REVIEW)
    assert live.get()[0].faqs["settle_rent"].answer == NEW_ANSWER  # the very next call
    rollback(1, root)
    assert live.get()[0].faqs["settle_rent"].answer.startswith("可以申请。《实施意见》规定")


def test_the_live_knowledge_base_reads_policy_kb_dir(data_copy, root, monkeypatch):
    _edit_answer(data_copy)
    publish(data_copy, root, today=BEFORE_REVIEW)
    monkeypatch.setenv("POLICY_KB_DIR", str(root / "current"))
    get_settings.cache_clear()  # the settings are read once; this test changes the environment
    assert LiveKnowledgeBase().get()[0].faqs["settle_rent"].answer == NEW_ANSWER


def test_ensure_published_publishes_once_without_the_lint_gate(data_copy, root, caplog):
    path = data_copy / "faqs" / "settle.yml"  # a lint problem that load_kb accepts
    path.write_text(
        path.read_text(encoding="utf-8").replace("      - 买了房能不能入户\n", "      - 租房可以落户吗\n"),
        encoding="utf-8",
    )
    served = ensure_published(data_copy, root)
    assert served == root / "current" and current_version(root) == 1
    meta = json.loads((version_dir(root, 1) / "meta.json").read_text(encoding="utf-8"))
    assert any("相同" in p for p in meta["lint_problems"]) and "常见问题检查有 1 个问题待处理" in caplog.text
    _edit_answer(data_copy)
    assert ensure_published(data_copy, root) == served and current_version(root) == 1  # only when nothing is published


def test_ensure_published_refuses_data_that_cannot_be_served(data_copy, root):
    _break_citation(data_copy)
    with pytest.raises(PublishError, match="政策数据有错误"):
        ensure_published(data_copy, root)
    assert not (root / "current").exists()


def test_the_publish_folder_comes_from_kb_publish_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("KB_PUBLISH_DIR", str(tmp_path / "elsewhere"))
    assert publish_root() == tmp_path / "elsewhere"
    monkeypatch.delenv("KB_PUBLISH_DIR")
    get_settings.cache_clear()
    assert publish_root().parts[-2:] == ("var", "kb")


def test_the_command_line_reports_in_chinese(data_copy, root, monkeypatch, capsys):
    monkeypatch.setenv("KB_PUBLISH_DIR", str(root))
    monkeypatch.setattr(publishing, "DATA_DIR", data_copy)
    assert publishing.main(["history"]) == 0
    assert "还没有发布过任何版本" in capsys.readouterr().out
    _break_citation(data_copy)
    assert publishing.main(["publish"]) == 1
    assert "发布已取消" in capsys.readouterr().err
    assert publishing.main(["rollback", "3"]) == 1
    assert "没有第 3 版" in capsys.readouterr().err


def test_ensure_command_prints_the_folder_to_serve_and_publishes_only_once(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("KB_PUBLISH_DIR", str(tmp_path / "kb"))
    assert publishing.main(["ensure"]) == 0
    assert capsys.readouterr().out.strip() == str(tmp_path / "kb" / "current")
    assert publishing.main(["ensure"]) == 0
    assert [event["version"] for event in history(tmp_path / "kb")] == [1]


def test_production_mode_without_a_secret_is_a_clear_error_not_a_traceback(monkeypatch, capsys):
    # every process refuses the default secret in production (platform_core.settings), the tools too
    from platform_core.settings import get_settings
    from policy_kb.authoring import publish

    monkeypatch.setenv("APP_MODE", "production")
    monkeypatch.delenv("STATUS_HMAC_SECRET", raising=False)
    get_settings.cache_clear()
    try:
        assert publish.main(["history"]) == 2
    finally:
        get_settings.cache_clear()
    assert capsys.readouterr().err.startswith("错误：")
