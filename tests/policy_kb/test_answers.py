"""What residents are told: composed from the knowledge base, legal basis last."""

import pytest

from policy_kb import answers

CITE_3 = "依据：《韶关市人民政府关于进一步推进户籍制度改革的实施意见》第（三）条"


def test_renting_question_gets_article_three_last(kb, index):
    faq = answers.choose_faq(kb, index, "faq_settle_housing", "租房可以落户吗")
    reply = answers.faq_reply(kb, faq, "租房可以落户吗")
    assert faq.id == "settle_rent"
    assert reply.text.splitlines()[-1] == CITE_3
    assert "租" in reply.text and reply.articles == ("三",)


def test_best_entry_within_intent_follows_the_question(kb, index):
    assert answers.choose_faq(kb, index, "faq_relatives", "父母投靠子女有冇年龄限制").id == "relatives_parents"
    assert answers.choose_faq(kb, index, "faq_talent", "我系中级技工可唔可以入户").id == "talent_skilled"


def test_button_request_picks_that_exact_entry(kb, index):
    assert answers.choose_faq(kb, index, "faq_settle_housing", "随便", faq_id="settle_township").id == "settle_township"
    # an unknown id from a hand-typed payload falls back to search, never crashes
    assert answers.choose_faq(kb, index, "faq_settle_housing", "租房", faq_id="nope").intent == "faq_settle_housing"


def test_multi_article_answer_cites_each(kb):
    reply = answers.faq_reply(kb, kb.faqs["overview_pathways"])
    assert reply.text.endswith("第（三）条、第（四）条、第（五）条、第（六）条")


def test_mentioning_land_adds_the_article_eleven_guarantee(kb, index):
    text = "我系农村户口，屋企有宅基地，租房落户要唔要交返块地"
    reply = answers.faq_reply(kb, kb.faqs["settle_rent"], text)
    assert kb.messages["rural_land_note"] in reply.text
    assert reply.text.endswith("第（三）条、第（十一）条")


def test_hotline_placeholder_is_filled_from_operator_config(kb):
    for faq in kb.published_faqs():
        text = answers.faq_reply(kb, faq).text
        assert "{" not in text and "}" not in text, faq.id


def test_related_buttons_request_exact_entries_and_settling_offers_the_check(kb):
    reply = answers.faq_reply(kb, kb.faqs["settle_rent"])
    *related, offer = reply.buttons
    assert related
    for button in related:
        assert button["payload"].startswith("/faq_") and '"faq_id": "' in button["payload"]
    assert offer["payload"] == "/check_eligibility"
    assert all(b["payload"] != "/check_eligibility" for b in answers.faq_reply(kb, kb.faqs["policy_basis"]).buttons)


def test_newborn_question_is_honestly_not_covered(kb):
    reply = answers.not_covered_reply(kb, "新生儿点样报户口")
    assert reply.text.startswith("《实施意见》没有规定新生儿怎样登记户口")
    assert kb.operator.hotline_number in reply.text
    assert "依据" not in reply.text


def test_not_covered_names_the_district_office_and_labels_operator_info(kb):
    reply = answers.not_covered_reply(kb, "在乳源办落户要带什么材料", district="乳源瑶族自治县")
    assert "乳源瑶族自治县辖区派出所户政窗口" in reply.text
    assert kb.messages["operator_info_label"] in reply.text
    assert "请以当地公布为准" in reply.text  # the operator left the address empty: no guessing


def test_fallback_offers_three_closest_questions_and_hotline(kb, index):
    reply = answers.fallback_reply(kb, index, "屋企人想一齐迁户口过嚟")
    assert len(reply.buttons) == 3
    assert "12345" in reply.text


def test_fallback_for_gibberish_still_offers_questions(kb, index):
    reply = answers.fallback_reply(kb, index, "zzzz qqqq")
    assert len(reply.buttons) == 3 and "12345" in reply.text


def test_system_messages_fill_hotline(kb):
    assert "12345" in answers.message(kb, "handoff", ahead="2").text
    assert "12345" in answers.message(kb, "service_unavailable").text
    assert answers.message(kb, "help").buttons


def test_other_city_is_named_only_when_not_about_shaoguan(kb):
    assert answers.asks_about_other_city(kb, "深圳落户要什么条件", "深圳", None)
    assert not answers.asks_about_other_city(kb, "我系深圳返嚟，喺韶关租屋想落户", "深圳", None)
    assert not answers.asks_about_other_city(kb, "深圳回来在浈江买房", "深圳", "浈江区")


def test_other_city_reply_offers_shaoguan_answers(kb):
    reply = answers.other_city_reply(kb)
    assert "韶关" in reply.text and len(reply.buttons) == 3


def test_low_confidence_answers_when_search_agrees(kb, index):
    reply = answers.low_confidence_reply(kb, index, "租屋可唔可以落户", ["faq_settle_housing", "faq_relatives"])
    assert reply.articles == ("三",)


def test_low_confidence_without_agreement_offers_suggestions(kb, index):
    reply = answers.low_confidence_reply(kb, index, "租屋可唔可以落户", ["faq_fiscal", "faq_goal"])
    assert reply.articles == () and len(reply.buttons) == 3


def test_low_confidence_names_an_uncovered_detail_honestly(kb, index):
    reply = answers.low_confidence_reply(kb, index, "BB啱啱出世点样上户口", ["faq_relatives"])
    assert reply.text.startswith("《实施意见》没有规定新生儿")


def test_rating_buttons_only_under_an_faq_answer(kb):
    rated = answers.with_rating(kb, answers.faq_reply(kb, kb.faqs["settle_rent"]))
    assert [b["title"] for b in rated.buttons[-2:]] == ["有用", "没用"]
    assert answers.rated_faq_id(rated.buttons[-1]["payload"]) == "settle_rent"
    plain = answers.message(kb, "help")
    assert answers.with_rating(kb, plain) == plain


@pytest.mark.parametrize(
    "text, rating",
    [
        ("有用", "useful"),
        ("很有用谢谢", "useful"),
        ("没用", "not_useful"),
        ("冇用", "not_useful"),
        ("你这个答案一点用都没有", "not_useful"),
        ("答非所问", "not_useful"),
        ("沒有幫助", "not_useful"),
    ],
)
def test_typed_ratings(kb, text, rating):
    assert answers.rating_in_words(kb, text) == rating


def test_rated_faq_id_ignores_other_payloads():
    assert answers.rated_faq_id('/faq_relatives{"faq_id": "relatives_parents"}') is None
