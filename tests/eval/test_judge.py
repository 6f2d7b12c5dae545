"""The judge recognises every behaviour the held-out set expects, from the real messages."""

import pytest

from policy_kb import answers
from tests.eval.heldout import load_cases
from tests.eval.judge import BEHAVIOUR_MESSAGES, behaviours, cited_articles, passes


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
