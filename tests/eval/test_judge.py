"""The judge recognises every behaviour the held-out set expects, from the real messages."""

import pytest

from policy_kb import answers
from tests.eval.heldout import load_cases
from tests.eval.judge import BEHAVIOUR_MESSAGES, behaviours, cited_articles, confidently_wrong, over_cited, passes


@pytest.mark.parametrize(
    "key, behaviour",
    [
        ("status_ask_number", "status"),
        ("status_ask_id_tail", "status"),
        ("status_unavailable", "status"),
        ("eligibility_start", "eligibility"),
        ("handoff", "handoff"),
        ("greet", "greet"),
        ("out_of_scope", "out_of_scope"),
    ],
)
def test_each_message_shows_its_behaviour(kb, key, behaviour):
    entry = kb.messages[key]
    raw = entry["text"] if isinstance(entry, dict) else entry  # placeholders left as they are
    assert behaviour in behaviours(kb, raw)


def test_every_expected_behaviour_is_known_to_the_judge():
    expected = {case["expect"]["behaviour"] for case in load_cases() if "behaviour" in case["expect"]}
    assert expected - {"not_covered"} <= set(BEHAVIOUR_MESSAGES)


def test_articles_must_all_be_cited(kb):
    reply = "可以申请。\n" + kb.citation(["三", "五"])
    assert cited_articles(kb, reply) == {"三", "五"}
    assert passes(kb, {"articles": ["三"]}, reply)
    assert not passes(kb, {"articles": ["三", "四"]}, reply)


def test_a_refusal_that_cites_the_policy_fails(kb):
    reply = answers.message(kb, "out_of_scope").text + "\n" + kb.citation(["三"])
    assert not passes(kb, {"behaviour": "out_of_scope"}, reply)


def test_an_unrelated_article_is_confidently_wrong(kb):
    reply = "可以申请。\n" + kb.citation(["十七"])
    assert confidently_wrong(kb, {"behaviour": "not_covered"}, reply)
    assert confidently_wrong(kb, {"articles": ["三"]}, reply)
    assert not passes(kb, {"behaviour": "not_covered"}, reply + "\n《实施意见》没有规定这一点。", also_ok=[])


def test_an_allowed_article_beside_the_silence_is_not_wrong(kb):
    reply = "《实施意见》没有具体规定居住证怎样申领。\n" + kb.citation(["八"])
    assert not confidently_wrong(kb, {"behaviour": "not_covered"}, reply, also_ok=["八"])
    assert passes(kb, {"behaviour": "not_covered"}, reply, also_ok=["八"])


def test_more_articles_than_needed_are_counted_as_over_cited(kb):
    reply = "……\n" + kb.citation(["三", "五", "六"])
    assert over_cited(kb, {"articles": ["三"]}, reply, also_ok=["五"])
    assert not over_cited(kb, {"articles": ["三"]}, reply, also_ok=["五", "六"])


def test_a_two_question_expectation_needs_both(kb):
    reply = "可以申请。\n" + kb.citation(["三"])
    expect = {"articles": ["三"], "behaviour": "not_covered"}
    assert not passes(kb, expect, reply, also_ok=[])
    assert passes(kb, expect, reply + "\n《实施意见》没有规定办理户口业务的收费。", also_ok=[])


def test_the_older_sets_keep_their_judgement(kb):
    # labelled without also_ok: a not-covered reply beside an article still passes, as it always did
    reply = "《实施意见》没有规定材料。\n" + kb.citation(["五"])
    assert passes(kb, {"behaviour": "not_covered"}, reply)
