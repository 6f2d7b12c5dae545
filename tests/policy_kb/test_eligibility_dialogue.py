"""One turn of the eligibility conversation, without Rasa."""

import pytest

from policy_kb.eligibility.dialogue import is_policy_question, profile_from_slots, take_turn


@pytest.fixture(scope="module")
def rules(kb):
    return kb.eligibility


@pytest.mark.parametrize(
    "text, asked, profile, answers, next_field",
    [
        (
            "我本科毕业，在浈江区租房，想落户",
            None,
            {},
            {"housing": "rented", "education": "college_or_above", "district": "浈江区"},
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
