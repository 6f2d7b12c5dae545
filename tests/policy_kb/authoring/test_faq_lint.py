"""make faq-check: every rule fails on a broken copy of the real data, at the right line, and the
real data passes."""

import dataclasses
import datetime as dt

import pytest

from policy_kb.answers import faq_reply
from policy_kb.authoring import faq_lint
from policy_kb.authoring.faq_lint import lint
from policy_kb.authoring.faq_similar import DEFAULT_THRESHOLD
from policy_kb.authoring.training_data import nlu_examples
from policy_kb.loader import DATA_DIR, load_kb
from policy_kb.model import WECHAT_TEXT_LIMIT_BYTES

# Inside every review date of the real data (2027-06-30); the expiry rule has its own test.
BEFORE_REVIEW = dt.date(2026, 11, 25)


def _replace(path, old, new, count=1):
    text = path.read_text(encoding="utf-8")
    assert text.count(old) >= count, old
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def _line(path, needle, after=None):
    """1-based line of the first line containing ``needle`` (after the line containing ``after``)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if after in line) if after else 0
    return next(i for i, line in enumerate(lines) if i >= start and needle in line) + 1


def test_the_real_data_passes():
    assert lint(DATA_DIR, today=BEFORE_REVIEW) == []


def test_a_citation_to_a_missing_article_is_reported_at_its_line(data_copy):
    settle = data_copy / "faqs" / "settle.yml"
    _replace(
        settle,
        "    articles: [三]\n    related: [settle_family_along, settle_township",
        "    articles: [十九]\n    related: [settle_family_along, settle_township",
    )
    problems = lint(data_copy, today=BEFORE_REVIEW)
    line = _line(settle, "articles: [十九]")
    assert [p.message for p in problems] == ["引用了不存在的条款 “十九”"]
    assert str(problems[0]) == f"{settle}:{line}: 引用了不存在的条款 “十九”"


def test_a_published_entry_without_citation_is_reported_but_a_draft_is_not(data_copy):
    reform = data_copy / "faqs" / "reform.yml"
    _replace(
        reform,
        "    articles: [十七]\n    related: [leadership_departments, leadership_supporting_policies]",
        "    articles: []\n    related: [leadership_departments, leadership_supporting_policies]",
    )
    problems = lint(data_copy, today=BEFORE_REVIEW)
    assert [(p.line, p.message) for p in problems] == [
        (_line(reform, "articles: []"), "已发布的条目必须引用至少一条条款")
    ]
    _replace(reform, "    status: published", "    status: draft")  # the first entry is leadership_group
    assert lint(data_copy, today=BEFORE_REVIEW) == []


def test_the_same_question_in_two_entries_is_reported(data_copy):
    settle = data_copy / "faqs" / "settle.yml"
    _replace(settle, "      - 买了房能不能入户\n", "      - 买了房能不能入户\n      - 租房可以落户吗\n")
    problems = lint(data_copy, today=BEFORE_REVIEW)
    assert len(problems) == 1
    assert problems[0].line == _line(settle, "- 租房可以落户吗")
    assert "与" in problems[0].message and "settle_rent 的“租房可以落户吗？”相同" in problems[0].message


def test_a_near_duplicate_is_reported_above_the_threshold_only(data_copy):
    settle = data_copy / "faqs" / "settle.yml"
    # settle_rent has "没有买房只是租房能不能入户"; 落户 and 入户 are one term in the glossary.
    _replace(settle, "      - 买了房能不能入户\n", "      - 买了房能不能入户\n      - 没有买房只是租房能不能落户\n")
    problems = lint(data_copy, today=BEFORE_REVIEW)
    assert len(problems) == 1 and "相近（相似度 0.93，阈值 0.80）" in problems[0].message
    assert problems[0].line == _line(settle, "- 没有买房只是租房能不能落户")
    assert lint(data_copy, today=BEFORE_REVIEW, threshold=0.95) == []


def test_phrasings_of_one_entry_may_be_alike(data_copy):
    settle = data_copy / "faqs" / "settle.yml"
    _replace(
        settle,
        "      - 没有买房只是租房能不能入户\n",
        "      - 没有买房只是租房能不能入户\n      - 没有买房只是租房能不能落户\n",
    )
    assert lint(data_copy, today=BEFORE_REVIEW) == []


def test_an_answer_over_the_wechat_limit_counts_placeholders_and_citation(data_copy):
    kb = load_kb(data_copy)
    faq = kb.faqs["settle_rent"]
    filler = "拨打{hotline_name}。"  # grows when filled in, so the raw text alone would pass
    answer = filler * 80
    assert len(answer.encode("utf-8")) < WECHAT_TEXT_LIMIT_BYTES
    full = faq_reply(kb, dataclasses.replace(faq, answer=answer), "宅基地").text
    assert len(full.encode("utf-8")) > WECHAT_TEXT_LIMIT_BYTES
    settle = data_copy / "faqs" / "settle.yml"
    _replace(settle, faq.answer, answer)
    problems = lint(data_copy, today=BEFORE_REVIEW)
    assert [p.line for p in problems] == [_line(settle, "answer: >-", after="id: settle_rent")]
    assert f"共 {len(full.encode('utf-8'))} 字节，超过微信 2047 字节上限" in problems[0].message


def test_an_answer_exactly_at_the_limit_passes(data_copy):
    kb = load_kb(data_copy)
    faq = kb.faqs["settle_rent"]
    worst = max(len(faq_reply(kb, faq, text).text.encode("utf-8")) for text in ("", "宅基地"))
    padding = "。" * ((WECHAT_TEXT_LIMIT_BYTES - worst) // 3)  # 3 bytes each
    pad_bytes = (WECHAT_TEXT_LIMIT_BYTES - worst) % 3
    settle = data_copy / "faqs" / "settle.yml"
    _replace(settle, faq.answer, faq.answer + padding + "x" * pad_bytes)
    assert lint(data_copy, today=BEFORE_REVIEW) == []
    _replace(settle, faq.answer + padding, faq.answer + padding + "x")
    assert "超过微信 2047 字节上限" in lint(data_copy, today=BEFORE_REVIEW)[0].message


def test_a_placeholder_the_bot_cannot_fill_is_reported(data_copy):
    settle = data_copy / "faqs" / "settle.yml"
    _replace(settle, "或拨打{hotline}。", "或拨打{hotline_number}。")
    problems = lint(data_copy, today=BEFORE_REVIEW)
    assert problems and all("占位符 {hotline_number} 不存在" in p.message for p in problems)


def test_review_dates_before_today_are_reported(data_copy):
    assert lint(data_copy, today=dt.date(2027, 6, 30)) == []
    problems = lint(data_copy, today=dt.date(2027, 7, 1))
    kb = load_kb(data_copy)
    assert len(problems) == len(kb.published_faqs())
    settle = data_copy / "faqs" / "settle.yml"
    rent = [
        p for p in problems if p.line == _line(settle, "review_by", after="id: settle_rent") and "settle" in p.where
    ]
    assert rent and rent[0].message.startswith("复核日期 2027-06-30 已过（今天是 2027-07-01）")


def test_a_phrasing_that_is_another_intents_training_example_is_reported(data_copy):
    example = next(e for e in nlu_examples() if e.intent == "ask_not_covered")
    settle = data_copy / "faqs" / "settle.yml"
    _replace(settle, "      - 买了房能不能入户\n", f"      - 买了房能不能入户\n      - {example.text}呀\n")
    problems = lint(data_copy, today=BEFORE_REVIEW)
    assert len(problems) == 1 and problems[0].line == _line(settle, f"- {example.text}呀")
    assert f"data/nlu/edges.yml:{example.line} 中意图 ask_not_covered 的例句“{example.text}”相近" in problems[0].message


def test_an_exact_training_example_of_another_intent_is_reported_as_the_same(data_copy):
    settle = data_copy / "faqs" / "settle.yml"
    _replace(settle, "      - 买了房能不能入户\n", "      - 买了房能不能入户\n      - 新生儿点样报户口\n")
    problems = lint(data_copy, today=BEFORE_REVIEW)
    assert len(problems) == 1 and "中意图 ask_not_covered 的例句“新生儿点样报户口”相同" in problems[0].message


def test_sameness_ignores_punctuation_width_and_traditional_characters(data_copy):
    settle = data_copy / "faqs" / "settle.yml"
    # settle_own_home has "买咗楼可唔可以入户"; this goes into settle_rent
    _replace(settle, "      - 租屋住可唔可以落户\n", "      - 租屋住可唔可以落户\n      - 買咗樓，可唔可以入戶？\n")
    problems = lint(data_copy, today=BEFORE_REVIEW)
    assert len(problems) == 1  # reported at the later of the two, settle_own_home's
    assert problems[0].line == _line(settle, "- 买咗楼可唔可以入户")
    assert (
        "“买咗楼可唔可以入户”与" in problems[0].message
        and "settle_rent 的“買咗樓，可唔可以入戶？”相同" in problems[0].message
    )


def test_an_intent_the_model_does_not_know_blocks_a_published_entry_only(data_copy):
    reform = data_copy / "faqs" / "reform.yml"
    _replace(reform, "    intent: faq_goal\n", "    intent: faq_new_topic\n")
    problems = lint(data_copy, today=BEFORE_REVIEW)
    unknown = [p for p in problems if p.line == _line(reform, "intent: faq_new_topic")]
    assert len(unknown) == 1
    assert "意图 faq_new_topic 不在已训练的模型里" in unknown[0].message and "重新训练" in unknown[0].message
    # and its phrasings now read like another intent's (faq_goal's) training examples
    assert all("faq_goal" in p.message for p in problems if p not in unknown)
    _replace(
        reform,
        "    status: published\n    review_by: 2027-06-30\n\n  # ───────────── 基本原则",
        "    status: draft\n    review_by: 2027-06-30\n\n  # ───────────── 基本原则",
    )
    assert lint(data_copy, today=BEFORE_REVIEW) == []


def test_a_yaml_error_is_reported_at_its_line(data_copy):
    services = data_copy / "faqs" / "services.yml"
    _replace(services, "    question: ", "    question: [unclosed ")
    problems = lint(data_copy, today=BEFORE_REVIEW)
    assert len(problems) == 1 and problems[0].message.startswith("YAML 格式错误")
    assert problems[0].line >= _line(services, "[unclosed")


def test_an_entry_that_is_not_a_mapping_is_reported_at_its_line(data_copy):
    settle = data_copy / "faqs" / "settle.yml"
    settle.write_text(settle.read_text(encoding="utf-8") + "  - 租房可以落户吗\n", encoding="utf-8")
    problems = lint(data_copy, today=BEFORE_REVIEW)
    assert [(p.line, p.message.split("（")[0]) for p in problems] == [
        (len(settle.read_text(encoding="utf-8").splitlines()), "这一条不是 “字段: 内容” 的格式")
    ]


def test_other_knowledge_base_problems_are_reported_too(data_copy):
    _replace(data_copy / "glossary.yml", "terms:", "terms: [unclosed")
    problems = lint(data_copy, today=BEFORE_REVIEW)
    assert any(p.where.endswith("glossary.yml") and "YAML 格式错误" in p.message for p in problems)


def test_the_command_line_prints_file_and_line_and_fails(data_copy, capsys):
    _replace(data_copy / "faqs" / "settle.yml", "articles: [三]", "articles: [十九]")
    assert faq_lint.main(["--data-dir", str(data_copy), "--today", "2026-11-25"]) == 1
    out = capsys.readouterr()
    assert "faqs/settle.yml:" in out.out and "引用了不存在的条款 “十九”" in out.out
    assert "常见问题检查未通过" in out.err


def test_the_command_line_refuses_a_bad_threshold_in_chinese(capsys):
    with pytest.raises(SystemExit) as exit_:
        faq_lint.main(["--threshold", "80"])
    assert exit_.value.code == 2
    assert "相似度阈值应为 0 到 1 之间的小数" in capsys.readouterr().err


def test_the_default_threshold_is_the_documented_one():
    assert DEFAULT_THRESHOLD == 0.80
