"""Reading residents the way the unseen profiles showed they talk (tests/eval/eligibility_profiles_unseen.yml):
facts said before the check or in passing, villages under towns, ages of children, negated "yes" words,
corrections in a later answer, and subjects brought up that keep a pathway open."""

import pytest
import yaml

from policy_kb.eligibility import evaluate, parse_answer
from policy_kb.eligibility.dialogue import mentioned, take_turn, usable_history
from policy_kb.eligibility.parsing import number
from policy_kb.loader import KnowledgeBaseError, load_kb


@pytest.fixture(scope="module")
def rules(kb):
    return kb.eligibility


READINGS = [
    # a negated "yes" word is a "no", even next to a stray "有"
    ("skill_certified", "没有中级的，只有电工上岗证", "no"),
    ("skill_certified", "冇中级证，得个上岗证", "no"),
    ("skill_certified", "有个中级电功证，人社局发的", "yes"),
    # a village under a town is a village; a negated village is not
    ("housing_area", "马头镇下面一个村子，离镇上还有十几公里", "village"),
    ("housing_area", "马坝镇附近嘅村，唔系镇上", "village"),
    ("housing_area", "县城，不在村里", "town"),
    ("housing_area", "我住喺太平镇镇上，唔系村度", "town"),
    ("housing_area", "城中村", "town"),  # the village inside a longer town word does not count
    # the home village, rural land and where the resident wants to move are not where they live
    ("housing_area", "市区，老家在乡下", "town"),
    # where the home is: the clause that names buying or renting, not where the family comes from
    ("housing_area", "我家在仁化农村，在县城买了套房子", "town"),
    ("housing_area", "在乐昌市区租房做生意，担心村里的地被收走", "town"),
    ("housing_area", "在村里租的房，离镇上不远", "village"),
    # bringing one's parents over is their joining the resident
    ("family_join", "想把爸妈接过来一起住", "parent"),
    ("family_join", "打算把我妈接过来，户口也迁", "parent"),
    ("family_join", "个仔16岁，想迁来投我", "minor_child"),
    ("housing", "租房住，老家还有自建房", "rented"),
    ("housing", "有，二手楼，已经过咗户", "owned"),
    ("housing", "有层楼，自己嘅", "owned"),
    ("housing", "租紧屋，唔系自己嘅", "rented"),
    ("housing", "单位给的宿舍，也没想过买房", "dormitory"),
    # the highest education: a tie goes up, a negated level does not count
    ("education", "大专毕业，在小学当老师", "college_or_above"),
    ("education", "高中毕业，那时候没考上大学", "below_college"),
    # a child's age
    ("family_join", "我个女今年五岁，我同老婆都系乐昌户口", "minor_child"),
    ("family_join", "系我个仔，今年先十三岁", "minor_child"),
    ("family_join", "7岁的女儿", "minor_child"),
    ("family_join", "我儿子30岁了", None),  # an adult child joining, or a parent joining them? the buttons ask
    ("family_join", "我72岁想投靠儿子", "parent"),  # the resident's own age is not a child's
    # who joins whom
    ("family_join", "不是夫妻，是投靠儿子", "parent"),
    ("family_join", "我帮我妈问一下，她70岁了，想投靠我", "parent"),
    ("family_join", "我妈跟我住，房子是我买的", "parent"),
]


@pytest.mark.parametrize("field_id, text, expected", READINGS)
def test_readings(rules, field_id, text, expected):
    assert parse_answer(field_id, text, rules) == expected


@pytest.mark.parametrize(
    "token, value",
    [("7", 7), ("13", 13), ("十", 10), ("十三", 13), ("二十五", 25), ("两", 2), ("六七", 6), ("十七八", 17)],
)
def test_numbers_in_digits_or_chinese(token, value):
    assert number(token) == value


@pytest.mark.parametrize(
    "text, fields",
    [
        ("我喺煤矿井下做咗十年电工，有中级电工证", {"hard_industry", "skill_certified", "long_term_resident"}),
        ("我大专毕业，在韶关做了九年销售，工作一直很稳定", {"long_term_resident"}),
        ("做瑶绣的，是市里认定的非遗传承人", {"special_talent"}),
        ("来了两年，冇中级证", set()),
        ("我能落户吗", set()),
    ],
)
def test_subjects_brought_up(rules, text, fields):
    assert mentioned(rules, [text]) == fields


# ── messages before the check ────────────────────────────────────────────────────────────


def test_a_message_before_the_check_that_describes_the_resident_is_read(rules):
    earlier = usable_history(rules, ["我喺武江区买咗套二手楼，想将户口迁过嚟，得唔得啊？"], [])
    turn = take_turn(rules, {}, "那我这种情况能落户吗？", None, earlier=earlier)
    assert turn.answers["housing"] == "owned" and turn.answers["housing_area"] == "town"
    assert turn.next_field is None  # nothing left to ask


def test_a_general_question_before_the_check_is_not_taken_as_the_residents_case(rules):
    assert usable_history(rules, ["租房可以落户吗", "我喺武江租紧屋"], ["县城"]) == ["我喺武江租紧屋", "县城"]
    turn = take_turn(rules, {}, "帮我看看", None, earlier=usable_history(rules, ["租房可以落户吗"], []))
    assert turn.answers == {} and turn.next_field == "housing"


def test_only_the_last_few_messages_before_the_check_count(rules):
    before = ["我喺村度住", "我想问下", "我想问多句", "我再问下"]
    assert usable_history(rules, before, []) == before[1:]


def test_a_parent_asking_for_a_young_child_gets_the_family_pathway_too(rules):
    earlier = ["我儿子7岁，户口还在老家，我和他爸都是韶关户口，孩子能迁过来吗？"]
    profile = {}
    for text, asked in (("帮我看看", None), ("我们一家三口在马坝租的房子", "housing"), ("马坝镇上", "housing_area")):
        turn = take_turn(rules, profile, text, asked, earlier=earlier)
        profile.update(turn.answers)
    assert profile["family_join"] == "minor_child" and turn.next_field is None
    assert {f.article for f in evaluate(profile, rules).applicable} == {"三", "五"}


def test_the_place_someone_wants_to_move_to_is_not_where_they_live(rules):
    turn = take_turn(rules, {}, "请问同志，我这种情况能不能把户口迁到韶关城里？", None)
    assert "housing_area" not in turn.answers


def test_vague_words_in_a_first_message_are_not_answers(rules):
    turn = take_turn(rules, {}, "我没有中级证，户口一直在老家，能落户吗", None)
    assert "housing" not in turn.answers and "family_join" not in turn.answers


# ── facts in passing, corrections later ──────────────────────────────────────────────────


def test_education_said_while_answering_the_housing_question_counts(rules):
    turn = take_turn(rules, {}, "我在浈江区租房子住，大专毕业后就来韶关上班了，跟同事合租的", "housing")
    assert turn.answers["education"] == "college_or_above" and turn.answers["housing_area"] == "town"
    assert "family_join" not in turn.answers  # "同事" is not a relative to join
    assert turn.next_field is None
    assert {f.article for f in evaluate({**turn.answers}, rules).applicable} == {"三", "六"}


def test_facts_in_passing_never_replace_an_answer(rules):
    profile = {"housing": "none", "education": "below_college"}
    turn = take_turn(rules, profile, "是，大学毕业就在这边做了十年", "long_term_resident")
    assert turn.answers == {"long_term_resident": "yes"}


def test_an_answer_about_relatives_says_nothing_about_the_resident(rules):
    turn = take_turn(rules, {"housing": "none"}, "我个仔读紧大学，想投靠我", "family_join")
    assert "education" not in turn.answers


def test_a_correction_in_a_later_answer_changes_the_earlier_one(rules):
    profile = {"housing": "rented", "housing_area": "village"}
    text = "初中。系喎，头先讲错咗，我住喺太平镇镇上，唔系村度"
    turn = take_turn(rules, profile, text, "education")
    assert turn.corrected and turn.answers == {"housing_area": "town", "education": "below_college"}


def test_a_correction_inside_the_answer_takes_the_corrected_part(rules):
    turn = take_turn(rules, {"housing": "rented"}, "村里……不对，是镇上", "housing_area")
    assert turn.answers["housing_area"] == "town"


# ── subjects brought up keep their pathway open ──────────────────────────────────────────


def test_a_renter_in_town_who_said_nothing_else_gets_no_more_questions(rules):
    turn = take_turn(rules, {"housing": "rented"}, "县城", "housing_area", earlier=["我能落户吗", "租的"])
    assert turn.next_field is None


def test_a_subject_brought_up_is_asked_about_even_after_a_pathway_applies(rules):
    opening = "我喺煤矿井下做咗十年电工，有中级电工证，想落户，帮我睇下"
    profile = {"housing": "none", "family_join": "none", "education": "below_college"}
    turn = take_turn(rules, profile, "有个中级维修电工证", "skill_certified", earlier=[opening])
    assert turn.answers == {"skill_certified": "yes"}
    assert turn.next_field in ("long_term_resident", "hard_industry")
    done = {**profile, **turn.answers, "long_term_resident": "yes"}
    assert {f.article for f in evaluate(done, rules).applicable} == {"四", "六"}


def test_the_question_brought_up_comes_first_within_its_pathway_not_before_the_others(rules):
    assert evaluate({}, rules, mentioned=["hard_industry"]).questions[0] == "housing"
    profile = {"housing": "none", "family_join": "none", "education": "below_college", "skill_certified": "yes"}
    assert evaluate(profile, rules).decided
    assert evaluate(profile, rules, mentioned=["hard_industry"]).questions == ["hard_industry", "long_term_resident"]


def test_a_subject_already_answered_asks_nothing(rules):
    profile = {"housing": "rented", "housing_area": "town", "hard_industry": "yes"}
    result = evaluate(profile, rules, mentioned=["hard_industry"])
    assert result.decided and {f.article for f in result.applicable} == {"三", "四"}


# ── the new data keys are checked like the rest ──────────────────────────────────────────


def _edit(path, change):
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _field(data, field_id):
    return next(f for f in data["fields"] if f["id"] == field_id)


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda d: _field(d, "housing_area").update(prefer="castle"), "prefer “castle” 不在 values 里"),
        (lambda d: _field(d, "education").update(tie_break="phd"), "tie_break “phd” 不在 values 里"),
        (lambda d: _field(d, "family_join")["ages"].update(value="baby"), "ages “baby” 不在 values 里"),
        (lambda d: d["in_passing_skip"].update(housing=["tent"]), "in_passing_skip 的 housing：没有答案 “tent”"),
    ],
)
def test_broken_reading_settings_are_refused(data_copy, change, message):
    _edit(data_copy / "eligibility.yml", change)
    with pytest.raises(KnowledgeBaseError) as error:
        load_kb(data_copy)
    assert any(message in problem for problem in error.value.problems), error.value.problems


@pytest.mark.parametrize(
    "said, value",
    [
        ("只有A2驾照", "no"),  # a licence is no skill grade
        ("有高处作业特种证", "no"),
        ("有培训机构的结业证", "no"),
        ("有中级电工证", "yes"),
        ("有中级工证，还有驾照", "yes"),
    ],
)
def test_only_a_skill_grade_counts_as_the_certificate_asked_for(rules, said, value):
    assert parse_answer("skill_certified", said, rules) == value
