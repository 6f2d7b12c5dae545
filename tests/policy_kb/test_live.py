"""An edited answer is live on the next message; a broken edit never reaches residents."""

import os

import yaml

from policy_kb.live import LiveKnowledgeBase


def _rewrite_answer(path, new_answer):
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["faqs"][1]["answer"] = new_answer
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))


def test_answer_edit_is_picked_up_without_restart(data_copy):
    live = LiveKnowledgeBase(data_copy)
    assert "可以申请" in live.get()[0].faqs["settle_rent"].answer
    _rewrite_answer(data_copy / "faqs" / "settle.yml", "可以。（新版答案）")
    assert live.get()[0].faqs["settle_rent"].answer == "可以。（新版答案）"


def test_broken_edit_keeps_the_last_good_version(data_copy, caplog):
    live = LiveKnowledgeBase(data_copy)
    before = live.get()[0]
    (data_copy / "faqs" / "settle.yml").write_text("faqs: [broken", encoding="utf-8")
    assert live.get()[0] is before
    assert "知识库更新未生效" in caplog.text


def test_a_version_published_before_an_upgrade_gets_the_new_system_texts_it_lacks(data_copy):
    # a version published by older code has no out_of_scope_detail; the new code says it (issue 16)
    from policy_kb import answers

    path = data_copy / "messages.yml"
    messages = yaml.safe_load(path.read_text(encoding="utf-8"))
    del messages["out_of_scope_detail"]
    messages["thank"] = "本版本自己的感谢语。"
    path.write_text(yaml.safe_dump(messages, allow_unicode=True), encoding="utf-8")
    kb, _ = LiveKnowledgeBase(data_copy).get()
    assert answers.message(kb, "out_of_scope_detail").text.startswith("不好意思，我只能解答")
    assert kb.messages["thank"] == "本版本自己的感谢语。"  # the version's own texts win
