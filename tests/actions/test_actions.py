"""Each action against the real domain and the real knowledge base: exact messages and events."""

import asyncio

import pytest
from rasa.shared.core.domain import Domain
from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import ActionExecutor, CollectingDispatcher
from rasa_sdk.utils import all_subclasses

import actions.eligibility  # noqa: F401 - registers its actions
from actions import conversation, edges, faq
from tests.conftest import REPO

CITE = "依据：《韶关市人民政府关于进一步推进户籍制度改革的实施意见》"


@pytest.fixture(scope="module")
def domain():
    return Domain.load(str(REPO / "bot" / "domain"))


def tracker(text, intent, entities=(), ranking=None, events=(), slots=None, sender="resident-1"):
    message = {
        "text": text,
        "intent": {"name": intent, "confidence": 0.9},
        "entities": list(entities),
        "intent_ranking": ranking or [{"name": intent, "confidence": 0.9}],
    }
    events = [*events, {"event": "user", "text": text}]
    return Tracker(sender, slots or {}, message, events, False, None, {}, "action_listen")


def run(action, tracker_, domain):
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker_, domain.as_dict()))
    return dispatcher.messages, events


def test_every_domain_action_is_registered_exactly_once(domain):
    executor = ActionExecutor()
    executor.register_package("actions")
    names = [c().name() for c in all_subclasses(Action) if c.__module__.startswith("actions.")]
    custom = [a for a in domain.user_actions if a.startswith(("action_", "validate_"))]
    assert sorted(names) == sorted(custom)
    assert len(names) == len(set(names))  # rasa-sdk would silently keep the last duplicate
    assert set(custom) <= set(executor.actions)


def test_answer_faq_cites_article_three_for_renting(domain):
    messages, events = run(faq.ActionAnswerFaq(), tracker("租房可以落户吗", "faq_settle_housing"), domain)
    # the answer is remembered for a follow-up ("那我老婆呢")
    assert events == [SlotSet("answer_context", {"faq_id": "settle_rent", "articles": ["三"], "turn": 1, "who": None})]
    assert len(messages) == 1
    assert messages[0]["text"].endswith(CITE + "第（三）条")
    assert messages[0]["buttons"]


def test_answer_faq_honours_button_entity(domain):
    entities = [{"entity": "faq_id", "value": "relatives_parents"}]
    messages, _ = run(faq.ActionAnswerFaq(), tracker("/faq_relatives", "faq_relatives", entities), domain)
    assert messages[0]["text"].endswith("第（五）条")
    assert "年龄" in messages[0]["text"]


def test_answer_faq_about_other_city_says_so_and_states_no_article_as_its_rule(domain):
    # issue 16: Shenzhen's rules are not 第（三）条 of Shaoguan's document; Shaoguan's are offered as buttons
    entities = [{"entity": "other_city", "value": "深圳"}]
    messages, _ = run(faq.ActionAnswerFaq(), tracker("深圳租房可以落户吗", "faq_settle_housing", entities), domain)
    [message] = messages
    assert "只能解答韶关市" in message["text"] and "依据" not in message["text"]
    assert message["buttons"]


def test_a_city_the_nlu_does_not_know_is_still_another_city(domain):
    messages, _ = run(faq.ActionAnswerFaq(), tracker("许昌父母投靠子女落户条件", "faq_relatives"), domain)
    assert ["只能解答韶关市" in m["text"] and "依据" not in m["text"] for m in messages] == [True]


def test_answer_faq_also_names_an_uncovered_detail(domain):
    messages, _ = run(faq.ActionAnswerFaq(), tracker("投靠老公要带什么材料", "faq_relatives"), domain)
    assert messages[0]["text"].endswith("第（五）条")
    assert messages[1]["text"].startswith("《实施意见》没有规定具体需要准备哪些材料")


def test_not_covered_uses_district_office(domain):
    entities = [{"entity": "district", "value": "南雄市"}]
    messages, _ = run(edges.ActionNotCovered(), tracker("南雄补办户口本去哪里", "ask_not_covered", entities), domain)
    text = messages[0]["text"]
    assert text.startswith("《实施意见》没有规定户口簿遗失后怎样补办")
    assert "南雄市辖区派出所户政窗口" in text and CITE not in text


def test_out_of_scope_cites_nothing_and_gives_hotline(domain):
    messages, _ = run(edges.ActionOutOfScope(), tracker("护照点样办", "out_of_scope"), domain)
    assert "12345" in messages[0]["text"] and "依据" not in messages[0]["text"]


def test_other_city_offers_shaoguan_answers(domain):
    messages, _ = run(edges.ActionOtherCity(), tracker("北京积分落户", "ask_other_city"), domain)
    assert "韶关" in messages[0]["text"] and len(messages[0]["buttons"]) == 3


def test_fallback_answers_when_classifier_and_search_agree(domain):
    ranking = [{"name": "nlu_fallback", "confidence": 0.45}, {"name": "faq_settle_housing", "confidence": 0.4}]
    messages, _ = run(edges.ActionFallback(), tracker("租屋落户得唔得", "nlu_fallback", ranking=ranking), domain)
    assert messages[0]["text"].endswith("第（三）条")


def test_fallback_otherwise_offers_three_questions_and_hotline(domain):
    ranking = [{"name": "nlu_fallback", "confidence": 0.45}, {"name": "greet", "confidence": 0.2}]
    messages, _ = run(edges.ActionFallback(), tracker("嗯嗯嗯", "nlu_fallback", ranking=ranking), domain)
    assert len(messages[0]["buttons"]) == 3 and "12345" in messages[0]["text"]


@pytest.mark.parametrize(
    "intent, fragment", [("greet", "您好"), ("thank", "不客气"), ("goodbye", "再见"), ("help", "我可以为您解答")]
)
def test_smalltalk(domain, intent, fragment):
    messages, _ = run(conversation.ActionSmalltalk(), tracker("x", intent), domain)
    assert fragment in messages[0]["text"]


def test_a_question_heard_as_restart_is_answered_as_a_question(domain):
    messages, _ = run(conversation.ActionSmalltalk(), tracker("戶口本要不要重新換一本", "restart_flow"), domain)
    assert "《实施意见》没有规定" in messages[0]["text"]
    messages, _ = run(conversation.ActionSmalltalk(), tracker("你能做些啥", "help"), domain)
    assert "我可以为您解答" in messages[0]["text"]


def test_help_menu_has_buttons_for_known_intents(domain):
    messages, _ = run(conversation.ActionSmalltalk(), tracker("你识做乜", "help"), domain)
    for button in messages[0]["buttons"]:
        assert button["payload"].lstrip("/") in domain.intents


def test_a_follow_up_is_read_in_the_light_of_the_last_answer(domain):
    # issue 16: "那我老婆呢" right after the renting answer asks about the spouse settling too
    first = tracker("在浈江租房可以落户吗", "faq_settle_housing")
    _, events = run(faq.ActionAnswerFaq(), first, domain)
    context = events[0]["value"]
    history = [{"event": "user", "text": "在浈江租房可以落户吗"}, {"event": "action", "name": "action_answer_faq"}]
    follow = tracker("那我老婆呢", "out_of_scope", events=history, slots={"answer_context": context})
    messages, _ = run(edges.ActionOutOfScope(), follow, domain)
    assert "配偶" in messages[0]["text"] and messages[0]["text"].endswith("第（三）条、第（五）条")


def test_the_context_belongs_to_its_conversation_and_expires(domain):
    # a new conversation has no context: the same short message is not read as a follow-up of renting
    with_home = "第（三）条、第（五）条"
    messages, _ = run(edges.ActionOutOfScope(), tracker("那我老婆呢", "out_of_scope", sender="resident-2"), domain)
    assert not messages[0]["text"].endswith(with_home)
    # three messages later the old topic is no longer assumed
    old = {"faq_id": "settle_rent", "articles": ["三"], "turn": 1}
    history = [{"event": "user", "text": t} for t in ("租房能落户吗", "好", "嗯")]
    messages, _ = run(
        edges.ActionOutOfScope(),
        tracker("那我老婆呢", "out_of_scope", events=history, slots={"answer_context": old}),
        domain,
    )
    assert not messages[0]["text"].endswith(with_home)


@pytest.mark.parametrize(
    "action_name, intent",
    [
        ("action_not_covered", "ask_not_covered"),
        ("action_answer_faq", "faq_relatives"),
        ("action_fallback", "nlu_fallback"),
    ],
)
def test_asking_about_ones_own_application_starts_the_status_lookup(domain, action_name, intent):
    # issue 16: "递了材料，现在什么进度了" heard as a detail got the materials answer, not the lookup
    action = {
        "action_not_covered": edges.ActionNotCovered,
        "action_answer_faq": faq.ActionAnswerFaq,
        "action_fallback": edges.ActionFallback,
    }[action_name]()
    messages, events = run(action, tracker("上周在派出所递了落户材料，现在什么进度了", intent), domain)
    assert messages == []
    assert {"event": "followup", "name": "status_form", "timestamp": None} in events


def test_a_typed_message_heard_as_a_rating_that_tells_who_is_meant_is_the_next_turn(domain):
    from actions import feedback

    context = {"faq_id": "settle_family_along", "articles": ["三"], "turn": 1, "who": None}
    follow = tracker(
        "是我亲妹妹，不是我爸妈",
        "rate_answer",
        events=[{"event": "user", "text": "家里人想投靠我能办吗"}],
        slots={"answer_context": context},
    )
    messages, events = run(feedback.ActionRateAnswer(), follow, domain)
    assert "第（八）条" in messages[0]["text"] and "评价" not in messages[0]["text"]
    assert events and events[0]["name"] == "answer_context"


@pytest.mark.parametrize("said", ["长沙一中学区房的范围", "想问下农村危旧房改造今年还有没有"])
def test_a_question_heard_as_a_request_for_the_menu_is_answered(domain, said):
    messages, _ = run(conversation.ActionSmalltalk(), tracker(said, "help"), domain)
    assert "我可以为您解答" not in messages[0]["text"]


def test_asking_what_the_assistant_can_do_still_gets_the_menu(domain):
    messages, _ = run(conversation.ActionSmalltalk(), tracker("你能帮我做什么呀，我想问问", "help"), domain)
    assert "我可以为您解答" in messages[0]["text"]


def test_asking_in_other_words_what_the_assistant_does_gets_the_menu(domain):
    messages, _ = run(conversation.ActionSmalltalk(), tracker("你都能帮我做些什么", "help"), domain)
    assert "我可以为您解答" in messages[0]["text"]
