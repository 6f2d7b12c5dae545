"""The eligibility engine: rules from data/eligibility.yml, free answers, the verdict and the CLI."""

import itertools
import json
import os
import subprocess
import sys

import pytest
import yaml

from policy_kb.eligibility import (
    EligibilityRulesError,
    ProfileError,
    evaluate,
    load_rules,
    parse_answer,
    verdict_parts,
    verdict_text,
)
from policy_kb.live import LiveKnowledgeBase
from policy_kb.loader import KnowledgeBaseError, load_kb
from policy_kb.model import WECHAT_TEXT_LIMIT_BYTES
from tests.conftest import REPO

DECIDING = [
    "housing", "housing_area", "family_join", "education",
    "skill_certified", "special_talent", "long_term_resident", "hard_industry",
]  # fmt: skip
ALL_NO = {
    "housing": "none", "family_join": "none", "education": "below_college", "skill_certified": "no",
    "special_talent": "no", "long_term_resident": "no", "hard_industry": "no",
}  # fmt: skip
# Saying "you cannot" where the document is silent is exactly what the assistant must never do.
FORBIDDEN = ("您不能", "不能落户", "不能申请", "不可以", "不符合", "无法落户", "没有资格")


@pytest.fixture(scope="module")
def rules(kb):
    return kb.eligibility


def _status(result):
    """rule id → applicable | possible | ruled_out | open."""
    status = {rule.id: "open" for rule in result.rules.rules}
    for name in ("applicable", "possible", "ruled_out"):
        status.update({f.rule: name for f in getattr(result, name)})
    return status


def _edit(path, change):
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _rule(data, rule_id):
    return next(rule for rule in data["rules"] if rule["id"] == rule_id)


# ── every rule, its boundaries, and unknown answers ─────────────────────────────────────

RULE_CASES = [
    # (id, profile, expected status of the rules named)
    ("owned_in_town", {"housing": "owned", "housing_area": "town"}, {"settle_housing": "applicable"}),
    ("rented_in_town", {"housing": "rented", "housing_area": "town"}, {"settle_housing": "applicable"}),
    ("rented_in_village", {"housing": "rented", "housing_area": "village"}, {"settle_housing": "ruled_out"}),
    ("no_housing", {"housing": "none"}, {"settle_housing": "ruled_out"}),
    ("dormitory_document_silent", {"housing": "dormitory", "housing_area": "town"}, {"settle_housing": "possible"}),
    ("dormitory_in_village", {"housing": "dormitory", "housing_area": "village"}, {"settle_housing": "ruled_out"}),
    ("housing_unknown", {"housing": "unknown", "housing_area": "town"}, {"settle_housing": "possible"}),
    ("town_unknown", {"housing": "rented", "housing_area": "unknown"}, {"settle_housing": "possible"}),
    ("spouse_in_town", {"family_join": "spouse", "housing_area": "town"}, {"relatives": "applicable"}),
    ("parent_joins_child", {"family_join": "parent", "housing_area": "town"}, {"relatives": "applicable"}),
    ("minor_child_joins_parent", {"family_join": "minor_child", "housing_area": "town"}, {"relatives": "applicable"}),
    ("adult_child_not_listed", {"family_join": "adult_child", "housing_area": "town"}, {"relatives": "ruled_out"}),
    ("sibling_not_listed", {"family_join": "sibling", "housing_area": "town"}, {"relatives": "ruled_out"}),
    ("other_relative_not_listed", {"family_join": "other", "housing_area": "town"}, {"relatives": "ruled_out"}),
    ("no_relative", {"family_join": "none"}, {"relatives": "ruled_out"}),
    ("spouse_in_village", {"family_join": "spouse", "housing_area": "village"}, {"relatives": "ruled_out"}),
    ("relation_unknown", {"family_join": "unknown", "housing_area": "town"}, {"relatives": "possible"}),
    ("spouse_town_unknown", {"family_join": "spouse", "housing_area": "unknown"}, {"relatives": "possible"}),
    ("college", {"education": "college_or_above"}, {"talent": "applicable"}),
    ("certified_skill", {"education": "below_college", "skill_certified": "yes"}, {"talent": "applicable"}),
    ("special_talent", {"education": "below_college", "skill_certified": "no", "special_talent": "yes"},
     {"talent": "applicable"}),
    ("no_talent", {"education": "below_college", "skill_certified": "no", "special_talent": "no"},
     {"talent": "ruled_out"}),
    ("skill_unknown", {"education": "below_college", "skill_certified": "unknown", "special_talent": "no"},
     {"talent": "possible"}),
    ("long_term_resident", {"long_term_resident": "yes"}, {"collective": "applicable"}),
    ("hard_industry", {"long_term_resident": "no", "hard_industry": "yes"}, {"collective": "applicable"}),
    ("neither", {"long_term_resident": "no", "hard_industry": "no"}, {"collective": "ruled_out"}),
    ("hard_industry_unknown", {"long_term_resident": "no", "hard_industry": "unknown"}, {"collective": "possible"}),
    ("renter_graduate_spouse", {"housing": "rented", "housing_area": "town", "family_join": "spouse",
                                "education": "college_or_above"},
     {"settle_housing": "applicable", "relatives": "applicable", "talent": "applicable"}),
]  # fmt: skip


@pytest.mark.parametrize("profile, expected", [c[1:] for c in RULE_CASES], ids=[c[0] for c in RULE_CASES])
def test_rule_outcomes(rules, profile, expected):
    status = _status(evaluate(profile, rules))
    assert {rule: status[rule] for rule in expected} == expected


REASON_CASES = [
    ({"family_join": "adult_child"}, "relatives", "成年子女投靠父母"),
    ({"family_join": "sibling"}, "relatives", "兄弟姐妹"),
    ({"family_join": "other"}, "relatives", "其他亲戚朋友"),
    ({"housing": "rented", "housing_area": "village"}, "settle_housing", "村里"),
    ({"housing": "none"}, "settle_housing", "还没有这样的住所"),
    ({"housing": "dormitory", "housing_area": "town"}, "settle_housing", "单位宿舍算不算“合法稳定住所”"),
    ({"housing": "dormitory", "housing_area": "town"}, "settle_housing", "《实施意见》没有写明"),
    ({"housing": "rented", "housing_area": "unknown"}, "settle_housing", "《实施意见》没有具体划分"),
    ({"family_join": "spouse", "housing_area": "town"}, "relatives", "不看结婚年限"),
    ({"family_join": "parent", "housing_area": "town"}, "relatives", "没有年龄限制"),
    ({"family_join": "minor_child", "housing_area": "town"}, "relatives", "不受婚龄、年龄等条件限制"),
    ({"housing": "rented", "housing_area": "town"}, "settle_housing", "配偶、未成年子女、父母等，也可以一起申请"),
    ({"education": "college_or_above", "relative_settled": "yes"}, "talent", "也可以选择向他们搭户"),
    ({"hard_industry": "yes"}, "collective", "哪些行业算“一线特殊艰苦行业”，《实施意见》没有具体规定"),
    ({"long_term_resident": "unknown", "hard_industry": "no"}, "collective", "多久算“进城时间长”"),
]  # fmt: skip


@pytest.mark.parametrize("profile, rule_id, phrase", REASON_CASES)
def test_reasons_say_what_the_document_says(rules, profile, rule_id, phrase):
    result = evaluate(profile, rules)
    finding = next(f for f in result.applicable + result.possible + result.ruled_out if f.rule == rule_id)
    assert phrase in finding.reason


def _oracle(profile):
    """The four pathways read straight from the document, independently of the YAML."""

    def pathway(met, out):
        return "applicable" if met else "ruled_out" if out else "possible"

    p = profile
    talent = [p["education"] == "college_or_above", p["skill_certified"] == "yes", p["special_talent"] == "yes"]
    talent_unknown = "unknown" in (p["education"], p["skill_certified"], p["special_talent"])
    collective = [p["long_term_resident"] == "yes", p["hard_industry"] == "yes"]
    collective_unknown = "unknown" in (p["long_term_resident"], p["hard_industry"])
    village = p["housing_area"] == "village"
    return {
        "settle_housing": pathway(
            p["housing"] in ("owned", "rented") and p["housing_area"] == "town", p["housing"] == "none" or village
        ),
        "relatives": pathway(
            p["family_join"] in ("spouse", "minor_child", "parent") and p["housing_area"] == "town",
            p["family_join"] in ("adult_child", "sibling", "other", "none") or village,
        ),
        "talent": pathway(any(talent), not talent_unknown),
        "collective": pathway(any(collective), not collective_unknown),
    }


def test_every_combination_of_answers_matches_the_document(rules):
    values = [[*rules.fields[f].values, "unknown"] for f in DECIDING]
    for combo in itertools.product(*values):
        profile = dict(zip(DECIDING, combo, strict=True))
        result = evaluate(profile, rules)
        assert _status(result) == _oracle(profile), profile
        assert result.decided and (result.fallback is None) == bool(result.applicable), profile


# ── asking only what matters, one question at a time ────────────────────────────────────

QUESTION_CASES = [
    ("start_with_housing", {}, ["housing", "family_join", "education", "long_term_resident"]),
    ("renter_needs_only_town", {"housing": "rented"}, ["housing_area", "family_join", "education",
                                                       "long_term_resident"]),
    ("no_housing_skips_town", {"housing": "none"}, ["family_join", "education", "long_term_resident"]),
    ("given_relation_asked_first", {"family_join": "spouse"}, ["housing_area", "housing", "education",
                                                               "long_term_resident"]),
    ("adult_child_skips_town", {"housing": "none", "family_join": "adult_child"}, ["education", "long_term_resident"]),
    ("one_talent_question_at_a_time", {**{k: ALL_NO[k] for k in ("housing", "family_join", "education")}},
     ["skill_certified", "long_term_resident"]),
    ("unknown_is_not_asked_again", {"housing": "unknown"}, ["housing_area", "family_join", "education",
                                                            "long_term_resident"]),
    ("renter_in_town_is_decided", {"housing": "rented", "housing_area": "town"}, []),
    ("started_pathway_still_checked", {"education": "college_or_above", "housing": "rented"}, ["housing_area"]),
    ("miner_is_decided", {"hard_industry": "yes", "long_term_resident": "yes"}, []),
    ("everything_no_is_decided", ALL_NO, []),
]  # fmt: skip


@pytest.mark.parametrize("profile, questions", [c[1:] for c in QUESTION_CASES], ids=[c[0] for c in QUESTION_CASES])
def test_questions_in_order(rules, profile, questions):
    result = evaluate(profile, rules)
    assert result.questions == questions
    assert result.decided == (not questions)


def test_pathways_not_needed_once_one_applies_are_left_unchecked(rules):
    result = evaluate({"housing": "rented", "housing_area": "town"}, rules)
    assert result.unchecked == ["relatives", "talent", "collective"]


def test_next_question_has_text_and_buttons(rules):
    question = evaluate({}, rules).to_dict()["next_question"]
    assert question["field"] == "housing" and "？" in question["text"]
    assert {"title": "有，租的", "value": "rented"} in question["options"]


# ── （十一） rural land: a note, never a condition ─────────────────────────────────────


@pytest.mark.parametrize(
    "profile",
    [{}, {"housing": "rented", "housing_area": "town"}, ALL_NO, {"housing": "rented", "housing_area": "village"}],
)
def test_rural_land_is_never_a_condition(rules, profile):
    with_land = evaluate({**profile, "rural_land": "yes"}, rules)
    without = evaluate({**profile, "rural_land": "no"}, rules)
    assert _status(with_land) == _status(without) and with_land.questions == without.questions
    assert [n.article for n in with_land.notes] == ["十一"] and not without.notes
    assert "不能把退出土地承包经营权、宅基地使用权、集体收益分配权作为进城落户的条件" in with_land.notes[0].reason


def test_no_rule_depends_on_land_relatives_or_district(rules):
    from policy_kb.eligibility.model import leaves

    used = {leaf.field for rule in rules.rules for leaf in leaves(rule.when)}
    assert used == set(DECIDING)


# ── explain() and the result's record of answers ────────────────────────────────────────


def test_explain_names_the_answers_that_triggered_each_rule(rules):
    result = evaluate({"housing": "rented", "housing_area": "town", "rural_land": "yes"}, rules)
    lines = result.explain()
    assert "settle_housing -> applicable: housing=rented (met), housing_area=town (met)" in lines
    assert "rural_land -> note: rural_land=yes (met)" in lines
    assert any(line.startswith("talent -> open: no answers yet") for line in lines)
    assert result.applicable[0].answers == {"housing": "rented", "housing_area": "town"}


def test_ruled_out_records_the_deciding_answer(rules):
    result = evaluate({"family_join": "sibling"}, rules)
    assert result.ruled_out[0].answers == {"family_join": "sibling"}
    assert "relatives -> ruled_out: family_join=sibling (not_met); not asked: housing_area" in result.explain()


# ── bad profiles ────────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize(
    "profile, message",
    [
        ({"pets": "cat"}, "未知的问题项 “pets”"),
        ({"housing": "house"}, "housing 的答案 “house” 无效"),
        ({"skill_certified": True}, "skill_certified 的答案 “True” 无效"),
        (["housing"], "资料应为 JSON 对象"),
    ],
)
def test_bad_profile_is_refused_in_chinese(rules, profile, message):
    with pytest.raises(ProfileError, match=message):
        evaluate(profile, rules)


def test_unfilled_slots_count_as_not_asked(rules):
    assert evaluate({"housing": None, "education": None}, rules).questions[0] == "housing"


# ── free answers: colloquial, Cantonese, traditional ────────────────────────────────────

ANSWER_CASES = [
    ("housing", "租的", "rented"),
    ("housing", "租紧屋", "rented"),
    ("housing", "我喺韶关租緊屋住", "rented"),
    ("housing", "有房产证", "owned"),
    ("housing", "買咗樓", "owned"),
    ("housing", "冇买楼，租紧", "rented"),
    ("housing", "住单位宿舍", "dormitory"),
    ("housing", "住老公屋企", "none"),
    ("housing", "没有", "none"),
    ("housing", "没有房产证", None),  # not owning says nothing about renting: ask again
    ("housing", "有，租的", "rented"),  # a tapped button
    ("housing", "rented", "rented"),
    ("housing_area", "县城", "town"),
    ("housing_area", "喺镇上", "town"),
    ("housing_area", "乡镇", "town"),
    ("housing_area", "乡下", "village"),
    ("housing_area", "農村", "village"),
    ("housing_area", "唔知算唔算市区", "unknown"),
    ("family_join", "老公是本地户口", "spouse"),
    ("family_join", "我72岁想投靠儿子", "parent"),
    ("family_join", "想接爸妈过来一齐住", "parent"),
    ("family_join", "我个仔12岁，读小学", "minor_child"),
    ("family_join", "已成年想投靠父母", "adult_child"),
    ("family_join", "我細佬", "sibling"),
    ("family_join", "投靠表哥", "other"),
    ("family_join", "没有老公", "none"),
    ("family_join", "投靠爸妈", None),  # minor or adult child? the buttons ask
    ("education", "本科", "college_or_above"),
    ("education", "專科畢業", "college_or_above"),
    ("education", "大学没毕业", "below_college"),
    ("education", "读紧大学", "below_college"),
    ("education", "大专以下", "below_college"),
    ("education", "技校", "below_college"),
    ("skill_certified", "中级工证", "yes"),
    ("skill_certified", "有高级工证", "yes"),
    ("skill_certified", "没有中级证", "no"),
    ("skill_certified", "冇", "no"),
    ("special_talent", "唔算", "no"),
    ("long_term_resident", "在矿上干了十年", "yes"),
    ("long_term_resident", "工作不稳定", "no"),
    ("long_term_resident", "啱嚟两个月", "no"),
    ("hard_industry", "在矿上干了十年", "yes"),
    ("hard_industry", "做環衛", "yes"),
    ("hard_industry", "不辛苦", "no"),
    ("hard_industry", "坐写字楼", "no"),
    ("rural_land", "屋企有宅基地", "yes"),
    ("district", "喺乳源", "乳源瑶族自治县"),
    ("housing", "唔知", "unknown"),
    ("education", "不清楚", "unknown"),
    ("hard_industry", "讲唔准", "unknown"),
    ("housing", "", None),
    ("housing", "🙂🙂", None),
    ("education", "你好", None),
]


@pytest.mark.parametrize("field_id, text, expected", ANSWER_CASES)
def test_parse_answer(rules, field_id, text, expected):
    assert parse_answer(field_id, text, rules) == expected


def test_every_word_in_the_data_means_its_own_value(rules):
    for spec in rules.fields.values():
        for value, words in spec.words.items():
            for word in words:
                assert parse_answer(spec.id, word, rules) == value, (spec.id, word)
        for word in rules.unknown_words:
            assert parse_answer(spec.id, word, rules) == "unknown", (spec.id, word)


def test_every_button_gives_its_value(rules):
    for spec in rules.fields.values():
        for option in spec.options:
            assert parse_answer(spec.id, option.title, rules) == option.value


def test_parse_answer_for_an_unknown_field_is_a_programming_error(rules):
    with pytest.raises(KeyError):
        parse_answer("pets", "猫", rules)


# ── the verdict ─────────────────────────────────────────────────────────────────────────


def _verdict(kb, profile):
    return verdict_parts(evaluate(profile, kb.eligibility), kb)


def test_verdict_gives_each_pathway_with_its_basis_last(kb):
    parts = _verdict(kb, {"housing": "rented", "housing_area": "town", "education": "college_or_above"})
    assert parts[0].startswith("根据您的回答，您可以通过下面的途径申请落户：\n【有住所落户】")
    assert parts[0].splitlines()[-1] == kb.citation(["三"])
    assert parts[1].startswith("【学历和技能人才落户】") and parts[1].splitlines()[-1] == kb.citation(["六"])


def test_verdict_says_what_to_prepare_and_labels_operator_facts(kb):
    last = _verdict(kb, {"family_join": "spouse", "housing_area": "town", "district": "浈江区"})[-1]
    lines = last.splitlines()
    assert "有效证件和证明材料" in lines[0] and lines[1] == kb.messages["operator_info_label"]
    assert kb.operator.materials_notes["general"] in lines
    assert "办理地点：浈江区辖区派出所户政窗口，具体地址和电话请以当地公布为准。" in lines
    assert lines[-1] == "有疑问可以拨打韶关12345政务服务便民热线（12345）。"


def test_verdict_without_district_names_the_general_office(kb):
    last = _verdict(kb, {"housing": "owned", "housing_area": "town", "district": "unknown"})[-1]
    assert f"办理地点：{kb.operator.general_office}。" in last


def test_when_nothing_applies_the_verdict_explains_and_offers_the_residence_permit(kb):
    parts = _verdict(kb, {**ALL_NO, "family_join": "sibling"})
    assert "第（三）至（六）条列出的落户途径暂时对不上" in parts[0]
    assert (
        "· 直系亲属投靠（第（五）条）：这一条列明的是夫妻、未成年子女、父母之间相互投靠，没有列出兄弟姐妹。" in parts[0]
    )
    assert parts[1].startswith("【先办居住证】") and parts[1].endswith(kb.citation(["八"]))
    assert "12345" in parts[-1] and "有效证件和证明材料" not in parts[-1]


def test_possible_pathways_ask_to_confirm_and_still_offer_the_residence_permit(kb):
    profile = {**ALL_NO, "housing": "dormitory", "housing_area": "town"}
    parts = _verdict(kb, profile)
    assert parts[0].startswith("根据您的回答，下面的途径可能适用，还需要向户政窗口确认：")
    assert "单位宿舍" in parts[0] and parts[0].endswith(kb.citation(["三"]))
    assert parts[1].startswith("【先办居住证】")


def test_land_note_is_its_own_message_with_article_eleven(kb):
    parts = _verdict(kb, {"housing": "rented", "housing_area": "town", "rural_land": "yes"})
    assert parts[1].endswith(kb.citation(["十一"])) and "宅基地使用权" in parts[1]


def test_undecided_verdict_says_more_questions_are_needed(kb):
    text = verdict_text(evaluate({"housing": "rented"}, kb.eligibility), kb)
    assert text.startswith("还需要再了解几个情况")


def test_verdicts_fit_wechat_and_never_say_you_cannot(kb):
    rules = kb.eligibility
    values = [[*rules.fields[f].values, "unknown"] for f in DECIDING]
    for combo in itertools.islice(itertools.product(*values), 0, None, 11):
        profile = {**dict(zip(DECIDING, combo, strict=True)), "rural_land": "yes", "relative_settled": "yes"}
        for part in verdict_parts(evaluate(profile, rules), kb):
            assert len(part.encode("utf-8")) <= WECHAT_TEXT_LIMIT_BYTES, profile
            assert not any(word in part for word in FORBIDDEN), (profile, part)
            assert "{" not in part and "}" not in part


# ── command line ────────────────────────────────────────────────────────────────────────


def _cli(tmp_path, content):
    path = tmp_path / "profile.json"
    path.write_text(content, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONIOENCODING": "ascii"}  # output must not depend on it
    return subprocess.run(
        [sys.executable, "-m", "policy_kb.eligibility", str(path)],
        cwd=REPO, env=env, capture_output=True, timeout=120,
    )  # fmt: skip


def test_cli_prints_the_result_as_utf8_json(tmp_path):
    done = _cli(tmp_path, json.dumps({"housing": "rented", "housing_area": "town", "rural_land": "yes"}))
    assert done.returncode == 0, done.stderr.decode("utf-8")
    out = done.stdout.decode("utf-8")
    assert "合法稳定住所" in out  # Chinese as is, not \u escapes
    result = json.loads(out)
    assert [f["article"] for f in result["applicable"]] == ["三"] and result["decided"] is True
    assert result["notes"][0]["article"] == "十一" and result["verdict"][0].startswith("根据您的回答")


def test_cli_names_the_next_question(tmp_path):
    result = json.loads(_cli(tmp_path, "{}").stdout.decode("utf-8"))
    assert result["questions"][0] == "housing" and result["next_question"]["field"] == "housing"


@pytest.mark.parametrize(
    "content, message",
    [
        ('{"housing": "rented"', "不是有效的 JSON"),
        ('{"pets": "cat"}', "未知的问题项 “pets”"),
        ('{"housing": "house"}', "housing 的答案 “house” 无效"),
        ("[1, 2]", "资料应为 JSON 对象"),
    ],
)
def test_cli_refuses_bad_input_in_chinese_with_status_2(tmp_path, content, message):
    done = _cli(tmp_path, content)
    assert done.returncode == 2 and done.stdout == b""
    assert message in done.stderr.decode("utf-8") and "Traceback" not in done.stderr.decode("utf-8")


def test_cli_without_a_file_explains_usage(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [sys.executable, "-m", "policy_kb.eligibility", str(tmp_path / "missing.json")],
        cwd=REPO, env=env, capture_output=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 2 and "无法读取文件" in done.stderr.decode("utf-8")


# ── the rules are data: edits take effect without Python; broken edits are refused ──────


def test_editing_a_rule_in_the_data_changes_the_verdict(data_copy):
    profile = {"family_join": "adult_child", "housing_area": "town"}
    assert _status(evaluate(profile, load_kb(data_copy).eligibility))["relatives"] == "ruled_out"

    def widen(data):
        leaf = _rule(data, "relatives")["when"]["all"][0]
        leaf["in"].append("adult_child")
        _rule(data, "relatives")["reason"] = "（新版说明）可以投靠。"

    _edit(data_copy / "eligibility.yml", widen)
    kb = load_kb(data_copy)
    result = evaluate(profile, kb.eligibility)
    assert [f.rule for f in result.applicable] == ["relatives"]
    assert "（新版说明）可以投靠。" in verdict_text(result, kb)


def test_a_rule_edit_is_live_on_the_next_message(data_copy):
    live = LiveKnowledgeBase(data_copy)
    assert live.get()[0].eligibility.rules[0].title == "有住所落户"
    _edit(data_copy / "eligibility.yml", lambda d: _rule(d, "settle_housing").update(title="凭住所落户"))
    stat = (data_copy / "eligibility.yml").stat()
    os.utime(data_copy / "eligibility.yml", ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert live.get()[0].eligibility.rules[0].title == "凭住所落户"


def test_operator_details_appear_labelled_without_code(data_copy):
    def configure(data):
        data["eligibility_notes"]["collective"] = "（测试）本地认定办法见某某文件。"
        data["materials_notes"]["collective"] = "（测试）劳动合同。"
        data["offices"]["武江区"]["address"] = "（测试）某某路1号"

    _edit(data_copy / "operator.yml", configure)
    kb = load_kb(data_copy)
    last = _verdict(kb, {"hard_industry": "yes", "district": "武江区"})[-1]
    label_at = last.index(kb.messages["operator_info_label"])
    for detail in (
        "（测试）本地认定办法见某某文件。",
        "（测试）劳动合同。",
        "武江区辖区派出所户政窗口，（测试）某某路1号",
    ):
        assert last.index(detail) > label_at
    assert "（测试）劳动合同。" not in _verdict(kb, {"education": "college_or_above"})[-1]


def test_unquoted_yes_in_the_data_still_means_yes(data_copy):
    text = (data_copy / "eligibility.yml").read_text(encoding="utf-8")
    (data_copy / "eligibility.yml").write_text(text.replace('in: ["yes"]', "in: [yes]"), encoding="utf-8")
    assert load_rules(data_copy).rule("talent").when.children[1].accepted == ("yes",)


BROKEN_EDITS = [
    ("missing_article", lambda d: _rule(d, "talent").update(article="十九"), "引用了不存在的条款 “十九”"),
    ("undefined_field", lambda d: _rule(d, "collective")["when"]["any"][0].update(field="age"), "未定义的问题 age"),
    ("value_not_allowed", lambda d: _rule(d, "settle_housing")["when"]["all"][0]["in"].append("castle"),
     "housing 没有答案 “castle”"),
    ("word_under_two_values", lambda d: d["fields"][0]["values"]["owned"].append("租紧"), "“租紧” 同时属于"),
    ("button_value_unknown", lambda d: d["fields"][0]["options"].append({"title": "别墅", "value": "villa"}),
     "value “villa” 不在 values 里"),
    ("reason_missing", lambda d: _rule(d, "relatives")["when"]["all"][1].pop("not_met"), "缺少 not_met"),
    ("rule_without_when", lambda d: _rule(d, "talent").pop("when"), "规则 talent：格式错误"),
    ("verdict_text_missing", lambda d: d["verdict"].pop("hotline"), "verdict 缺少 hotline"),
    ("materials_key_unknown", lambda d: _rule(d, "talent").update(materials="nope"), "materials_notes 没有 nope"),
]  # fmt: skip


@pytest.mark.parametrize("change, message", [c[1:] for c in BROKEN_EDITS], ids=[c[0] for c in BROKEN_EDITS])
def test_broken_rules_are_refused_with_every_problem(data_copy, change, message):
    _edit(data_copy / "eligibility.yml", change)
    with pytest.raises(KnowledgeBaseError) as error:
        load_kb(data_copy)
    assert any(message in problem for problem in error.value.problems), error.value.problems


def test_load_rules_alone_checks_articles_too(data_copy):
    _edit(data_copy / "eligibility.yml", lambda d: d["notes"][0].update(article="二十"))
    with pytest.raises(EligibilityRulesError, match="不存在的条款 “二十”"):
        load_rules(data_copy)


def test_check_command_reports_the_rules(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [sys.executable, "-m", "policy_kb.authoring.check"], cwd=REPO, env=env, capture_output=True, timeout=120
    )
    assert done.returncode == 0 and "4 条落户判断规则" in done.stdout.decode("utf-8")


@pytest.mark.parametrize("said", ["没买房也没租房", "房子冇买过，又冇租"])
def test_denying_every_kind_of_home_is_having_none(kb, said):
    assert parse_answer("housing", said, kb.eligibility) == "none"


@pytest.mark.parametrize("said, value", [("没有大学文凭", "below_college"), ("不是本科，是大专", "college_or_above")])
def test_a_denied_college_degree_is_below_college(kb, said, value):
    assert parse_answer("education", said, kb.eligibility) == value
