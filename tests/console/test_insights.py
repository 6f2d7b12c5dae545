"""The comms team's report: unanswered questions grouped by similarity, least useful answers,
and a group turned into a draft FAQ entry that the loader accepts once filled in."""

import yaml

from console import insights
from service_desk.signals import record_signal
from service_desk.store import FALLBACK, LOW_CONFIDENCE, NOT_COVERED, NOT_USEFUL, OUT_OF_SCOPE, USEFUL


def _log(*rows):
    for kind, text in rows:
        assert record_signal(kind, text)


def test_paraphrases_group_together_and_the_biggest_group_comes_first():
    _log(
        (NOT_COVERED, "落户要交多少钱"),
        (OUT_OF_SCOPE, "帮我订去广州的火车票"),
        (NOT_COVERED, "落户要交钱吗"),
        (FALLBACK, "落户交钱吗"),
        (NOT_COVERED, "落户要交多少钱"),
    )
    groups = insights.unanswered_groups()
    assert [g.count for g in groups] == [4, 1]
    assert groups[0].examples[0] == "落户要交多少钱"  # the most frequent wording leads
    assert set(groups[0].examples) == {"落户要交多少钱", "落户要交钱吗", "落户交钱吗"}
    assert groups[0].kinds == {NOT_COVERED: 3, FALLBACK: 1}
    assert groups[1].examples == ["帮我订去广州的火车票"]


def test_grouping_uses_the_faq_similarity_paraphrases_join_and_other_questions_on_the_topic_stay_apart():
    """policy_kb.authoring.similarity, the one engine (also make faq-check's near-duplicates): with the FAQ
    beside them, 落户 counts for little, so 要多久 is not 交钱 (0.28 against a threshold of 0.30)."""
    _log(
        (NOT_COVERED, "落户要交多少钱"),
        (NOT_COVERED, "落户要交钱吗"),
        (NOT_COVERED, "落户要多久"),
        (NOT_COVERED, "新生儿怎么上户口"),
        (FALLBACK, "小孩出生怎么上户口"),
        (FALLBACK, "落户交钱吗"),
        (OUT_OF_SCOPE, "帮我订机票"),
    )
    groups = sorted(sorted(g.examples) for g in insights.unanswered_groups())
    assert groups == sorted(
        [
            sorted(["落户要交多少钱", "落户要交钱吗", "落户交钱吗"]),
            sorted(["新生儿怎么上户口", "小孩出生怎么上户口"]),
            ["落户要多久"],
            ["帮我订机票"],
        ]
    )


def test_ratings_are_not_unanswered_questions_but_not_useful_ones_are():
    record_signal(USEFUL, "租房可以落户吗", faq_id="settle_rent")
    record_signal(NOT_USEFUL, "租房可以落户吗", faq_id="settle_rent")
    [group] = insights.unanswered_groups()
    assert group.count == 1 and group.kinds == {NOT_USEFUL: 1}


def test_least_useful_answers_lead_the_ratings():
    for kind in (NOT_USEFUL, NOT_USEFUL, USEFUL):
        record_signal(kind, "租房可以落户吗", faq_id="settle_rent")
    record_signal(USEFUL, "老人投靠子女", faq_id="relatives_parents")
    ratings = insights.least_useful()
    assert [(r.faq_id, r.not_useful, r.useful) for r in ratings] == [
        ("settle_rent", 2, 1),
        ("relatives_parents", 0, 1),
    ]
    assert ratings[0].question == "租房可以落户吗？"


def test_id_numbers_never_reach_the_report():
    record_signal(LOW_CONFIDENCE, "我身份证440203199001011234 电话13800138000 能落户吗")
    report = insights.format_report(insights.unanswered_groups(), insights.least_useful())
    assert "440203" not in report and "13800138000" not in report
    assert "[已隐去]" in report and "把握不大 1" in report


def test_a_group_becomes_a_draft_entry_that_loads_once_filled_in(data_copy):
    from datetime import date

    from policy_kb.loader import load_kb

    _log((NOT_COVERED, "落户要交多少钱"), (NOT_COVERED, "落户要交钱吗"))
    draft = yaml.safe_load(insights.draft_faq(insights.unanswered_groups()[0], today=date(2026, 11, 25)))[0]
    assert draft["status"] == "draft" and draft["review_by"] == "2027-05-24"
    assert draft["question"] == "落户要交多少钱" and draft["phrasings"] == ["落户要交钱吗"]
    draft.update(intent="faq_settle_housing", answer="《实施意见》没有具体规定。", articles=["三"], owner="宣传科")
    path = data_copy / "faqs" / "drafts.yml"
    path.write_text(yaml.safe_dump({"faqs": [draft]}, allow_unicode=True), encoding="utf-8")
    kb = load_kb(data_copy)
    assert kb.faqs[draft["id"]].published is False  # a draft is never served


def test_a_group_becomes_an_editor_draft_with_its_questions_as_phrasings(data_copy):
    from datetime import date

    from policy_kb.authoring.faq_edit import check_entry

    _log((NOT_COVERED, "落户要交多少钱"), (NOT_COVERED, "落户要交钱吗"), (NOT_COVERED, "落户要交多少钱"))
    group = insights.unanswered_groups()[0]
    entry = insights.draft_entry(group.examples, today=date(2026, 11, 25))
    assert (entry["question"], entry["phrasings"]) == ("落户要交多少钱", ["落户要交钱吗"])
    assert entry["status"] == "draft" and entry["review_by"] == "2027-05-24"
    entry["file"] = "settle.yml"
    # The editor's live check says exactly what is left to fill in, at those fields.
    missing = check_entry(entry, data_copy, is_new=True, today=date(2026, 11, 25))
    assert {p.field for p in missing} == {"intent", "answer"}
    entry.update(intent="faq_settle_housing", answer="《实施意见》没有具体规定。", articles=["三"], owner="宣传科")
    assert check_entry(entry, data_copy, is_new=True, today=date(2026, 11, 25)) == []
    # make report --draft prints the same entry, with the blanks explained.
    printed = yaml.safe_load(insights.draft_faq(group, today=date(2026, 11, 25)))[0]
    assert (printed["id"], printed["question"]) == (entry["id"], "落户要交多少钱")
    assert printed["phrasings"] == ["落户要交钱吗"]
    assert printed["intent"].startswith("（请填写")


def test_report_command_prints_groups_and_refuses_a_missing_group(capsys):
    _log((OUT_OF_SCOPE, "帮我订机票"))
    assert insights.main([]) == 0
    assert "1. 共 1 次（超出范围 1）" in capsys.readouterr().out
    assert insights.main(["--draft", "2"]) == 2
    assert "没有第 2 组" in capsys.readouterr().err
    assert insights.main(["--draft", "1"]) == 0
    assert "status: draft" in capsys.readouterr().out


def test_unknown_signal_kind_is_refused():
    import pytest

    with pytest.raises(ValueError):
        record_signal("whatever", "x")
