"""One turn of the eligibility conversation, without Rasa."""

import pytest

from policy_kb.eligibility.dialogue import asks_anything, is_policy_question, is_stop, profile_from_slots, take_turn


@pytest.fixture(scope="module")
def rules(kb):
    return kb.eligibility


@pytest.mark.parametrize(
    "text, asked, profile, answers, next_field",
    [
        (
            "我本科毕业，租房住，想落户",
            None,
            {},
            {"housing": "rented", "education": "college_or_above"},
            "housing_area",
        ),
        ("我能落户吗", None, {}, {}, "housing"),
        ("租紧屋", "housing", {}, {"housing": "rented"}, "housing_area"),
        ("有，租的", "housing", {}, {"housing": "rented"}, "housing_area"),
        ("唔知", "housing", {}, {"housing": "unknown"}, "housing_area"),
        ("县城", "housing_area", {"housing": "rented"}, {"housing_area": "town"}, None),
        ("說錯了，是買的房", "housing_area", {"housing": "rented"}, {"housing": "owned"}, "housing_area"),
    ],
)
def test_turns(rules, text, asked, profile, answers, next_field):
    turn = take_turn(rules, profile, text, asked)
    assert turn.answers == answers
    if next_field is not None:
        assert turn.next_field == next_field


def test_a_district_name_answers_where_and_which_office(rules):
    turn = take_turn(rules, {}, "我本科毕业，在浈江区租房，想落户", None)
    assert turn.answers["housing_area"] == "town" and turn.answers["district"] == "浈江区"


def test_yes_no_fields_are_not_guessed_from_a_first_message(rules):
    assert "skill_certified" not in take_turn(rules, {}, "我有中级工证，想落户", None).answers


def test_stop_and_restart(rules):
    assert take_turn(rules, {}, "算了唔问了", "housing").stop
    assert take_turn(rules, {"housing": "rented"}, "由头嚟过", "housing_area").restart


def test_unclear_answer_is_not_understood(rules):
    turn = take_turn(rules, {}, "乜话", "housing")
    assert not turn.understood and turn.next_field == "housing"


@pytest.mark.parametrize(
    "text, intent, confidence, expected",
    [
        ("父母投靠有冇年龄限制", "faq_relatives", 0.95, True),
        ("租房", "faq_settle_housing", 0.99, False),
        ("租房可以落户吗", "faq_settle_housing", 0.5, False),
        ("我系咪要交返块地？", "faq_rural_land", 0.9, True),
    ],
)
def test_policy_question_detection(text, intent, confidence, expected):
    assert is_policy_question(text, intent, confidence) is expected


def test_profile_from_slots_ignores_raw_text_candidates(rules):
    slots = {"elig_housing": "rented", "elig_housing_area": "说错了，系买咗楼", "elig_education": "unknown"}
    assert profile_from_slots(slots, rules) == {"housing": "rented", "education": "unknown"}


def test_profile_from_slots_ignores_empty(rules):
    assert profile_from_slots({"elig_housing": "rented", "elig_education": None, "other": "x"}, rules) == {
        "housing": "rented"
    }


def test_stop_and_restart_intents_inside_real_answers_are_ignored(rules):
    assert not take_turn(rules, {}, "算不上", "special_talent", intent="stop_flow").stop
    turn = take_turn(rules, {"housing": "none"}, "不是，刚来半年", "long_term_resident", intent="restart_flow")
    assert not turn.restart and turn.answers == {"long_term_resident": "no"}
    assert take_turn(rules, {}, "停", "housing", intent="stop_flow").stop


def test_a_no_answer_is_not_taken_for_a_correction(rules):
    turn = take_turn(rules, {"housing": "rented"}, "唔系，啱嚟冇耐", "long_term_resident")
    assert turn.answers == {"long_term_resident": "no"} and not turn.corrected


def test_second_unreadable_answer_is_recorded_as_unknown(rules):
    first = take_turn(rules, {}, "乜话", "housing", unclear_before=0)
    second = take_turn(rules, {}, "乜话", "housing", unclear_before=1)
    assert not first.gave_up and first.next_field == "housing"
    assert second.gave_up and second.answers == {"housing": "unknown"} and second.next_field != "housing"


def test_land_in_the_village_does_not_make_the_home_a_village(rules):
    turn = take_turn(rules, {}, "我喺曲江租屋住，乡下仲有宅基地", None)
    assert turn.answers.get("housing") == "rented" and turn.answers.get("housing_area") != "village"


def test_a_question_that_does_not_answer_the_question_asked_interrupts(kb):
    # issue 16: asked where one lives, a land question with a middling classifier score is answered
    turn = take_turn(kb.eligibility, {}, "等一下，先问个事，落户了老家的地还在吗", "housing", "faq_rural_land", 0.62)
    assert turn.interruption and turn.next_field == "housing"


def test_an_answer_phrased_as_a_question_is_still_an_answer(kb):
    turn = take_turn(kb.eligibility, {}, "租的，可以吗？", "housing", "faq_settle_housing", 0.62)
    assert not turn.interruption and turn.answers.get("housing") == "rented"


@pytest.mark.parametrize("said", ["不测了", "唔查喇，我自己去派出所问", "不用再问了"])
def test_no_more_of_the_check_in_own_words_is_a_stop(said):
    assert is_stop(said)


@pytest.mark.parametrize("said", ["以前在工地干，现在不做了", "查过了，是大专", "不清楚"])
def test_answers_are_no_stop(said):
    assert not is_stop(said)


@pytest.mark.parametrize(
    "said, asks",
    [("审批一般要几天", True), ("你们几点下班", True), ("在韶关做了好几年了", False), ("来了十几年", False)],
)
def test_asking_how_many_is_a_question_an_amount_is_not(said, asks):
    assert asks_anything(said) is asks


def test_an_a_not_a_question_mid_check_is_an_aside_not_a_no(kb):
    turn = take_turn(kb.eligibility, {}, "退伍军人落户有没有优待", "housing", "nlu_fallback", 0.45, 0, {}, False)
    assert turn.interruption and not turn.answers
    assert take_turn(kb.eligibility, {}, "冇啊", "housing", "nlu_fallback", 0.45, 0, {}, False).answers


@pytest.mark.parametrize("said", ["插一句，假如我是本科毕业，还要不要有房子", "顺便问下，要是租的房子可以不"])
def test_a_supposed_case_asked_by_the_way_is_an_aside_not_an_answer(kb, said):
    turn = take_turn(kb.eligibility, {}, said, "housing", "nlu_fallback", 0.45, 0, {}, True)
    assert turn.interruption and not turn.answers and turn.next_field == "housing"
