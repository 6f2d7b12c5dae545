"""The console's FAQ editor core (policy_kb/authoring/faq_edit.py) and browser publishing
(policy_kb/authoring/faq_release.py): the same verdicts as make faq-check, the files kept as written, and
publishing exactly the approved entries on top of what residents are served."""

import datetime as dt

import pytest

from policy_kb.authoring.faq_edit import check_entry, read_entries, stamp, write_entries
from policy_kb.authoring.faq_lint import lint
from policy_kb.authoring.faq_release import publish_changes
from policy_kb.authoring.publish import PublishError, ensure_published
from policy_kb.authoring.publish_store import current_version
from policy_kb.loader import load_kb

TODAY = dt.date(2026, 12, 7)
BREAKAGES = [
    ("no such article", {"articles": ["三", "十九"]}, "articles"),
    ("published without a citation", {"articles": []}, "articles"),
    ("review date passed", {"review_by": "2020-01-01"}, "review_by"),
    ("intent the model does not know", {"intent": "faq_made_up"}, "intent"),
    ("phrasing of another entry", {"phrasings": ["在韶关落户有哪几种办法？"]}, "phrasings"),
    ("too long for WeChat", {"answer": "很长的答案。" * 200}, "answer"),
    ("unknown related entry", {"related": ["nothing_here"]}, "related"),
]


@pytest.mark.parametrize("name, change, field", BREAKAGES, ids=[b[0] for b in BREAKAGES])
def test_the_editor_and_make_faq_check_agree(data_copy, tmp_path, name, change, field):
    values = {**read_entries(data_copy)["settle_rent"], **change}
    problems = check_entry(values, data_copy, is_new=False, today=TODAY)
    assert field in {p.field for p in problems}
    write_entries(data_copy, [values])
    assert lint(data_copy, today=TODAY), "make faq-check must refuse what the editor refuses"


def test_an_unchanged_entry_passes_and_leaves_the_file_byte_for_byte(data_copy):
    before = (data_copy / "faqs" / "settle.yml").read_bytes()
    values = read_entries(data_copy)["settle_rent"]
    assert check_entry(values, data_copy, is_new=False, today=TODAY) == []
    assert write_entries(data_copy, [values]) == []
    assert (data_copy / "faqs" / "settle.yml").read_bytes() == before


def test_a_new_entry_is_appended_and_loads(data_copy):
    values = {
        **read_entries(data_copy)["settle_rent"],
        "id": "settle_rent_copy",
        "question": "新问题？",
        "phrasings": [],
        "status": "draft",
    }
    assert check_entry(values, data_copy, is_new=True, today=TODAY) == []
    taken = check_entry({**values, "id": "settle_rent"}, data_copy, is_new=True, today=TODAY)
    assert [p.field for p in taken] == ["id"]
    write_entries(data_copy, [values])
    assert load_kb(data_copy).faqs["settle_rent_copy"].question == "新问题？"
    assert "# 常见问题（FAQ）" in (data_copy / "faqs" / "settle.yml").read_text(encoding="utf-8")


def test_publishing_changes_adds_only_those_entries_to_the_live_version(data_copy, tmp_path):
    root = tmp_path / "kb"
    ensure_published(data_copy, root)
    live = read_entries(root / "current")["settle_rent"]
    other_edit = data_copy / "faqs" / "reform.yml"
    other_edit.write_text(other_edit.read_text(encoding="utf-8") + "\n# 尚未发布的命令行修改\n", encoding="utf-8")
    change = {"id": "settle_rent", "base_stamp": stamp(live), "after": {**live, "answer": "新的答案。"}}
    assert publish_changes([change], source_dir=data_copy, root=root, by="reviewer1", note="", today=TODAY) == 2
    assert "尚未发布" not in (root / "current" / "faqs" / "reform.yml").read_text(encoding="utf-8")
    assert load_kb(root / "current").faqs["settle_rent"].answer == "新的答案。"
    assert load_kb(data_copy).faqs["settle_rent"].answer == "新的答案。"  # make faq-publish keeps it
    with pytest.raises(PublishError, match="已被另一次发布或回滚改变"):  # made against version 1
        publish_changes([change], source_dir=data_copy, root=root, by="reviewer1", note="", today=TODAY)
    assert current_version(root) == 2


def test_a_source_that_cannot_be_written_back_does_not_undo_the_publish(data_copy, tmp_path, monkeypatch, caplog):
    """In a container policy_kb/data may be read-only: the version is live all the same, with an alert."""
    from policy_kb.authoring import faq_release

    root = tmp_path / "kb"
    ensure_published(data_copy, root)
    live = read_entries(root / "current")["settle_rent"]
    change = {"id": "settle_rent", "base_stamp": stamp(live), "after": {**live, "answer": "新的答案。"}}
    writes = faq_release.write_entries

    def read_only_source(data_dir, changes):
        if data_dir == data_copy:
            raise PermissionError(30, "Read-only file system")
        return writes(data_dir, changes)

    monkeypatch.setattr(faq_release, "write_entries", read_only_source)
    assert publish_changes([change], source_dir=data_copy, root=root, by="reviewer1", note="", today=TODAY) == 2
    assert load_kb(root / "current").faqs["settle_rent"].answer == "新的答案。"
    assert load_kb(data_copy).faqs["settle_rent"].answer != "新的答案。"
    assert "告警：第 2 版已发布，但未能写回" in caplog.text and "Read-only file system" in caplog.text
