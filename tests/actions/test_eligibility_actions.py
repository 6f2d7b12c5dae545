"""The eligibility form's actions on the real domain and rules: exact messages and events."""

import asyncio

import pytest
from rasa.shared.core.domain import Domain
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import knowledge
from actions.eligibility import ActionEligibilityVerdict, ValidateEligibilityForm, _history
from tests.conftest import REPO


@pytest.fixture(scope="module")
def domain():
    return Domain.load(str(REPO / "bot" / "domain"))


def tracker(text, requested=None, intent="inform", confidence=0.9, **slots):
    message = {"text": text, "intent": {"name": intent, "confidence": confidence}, "entities": []}
    slots = {"requested_slot": requested, **slots}
    return Tracker("resident-1", slots, message, [], False, None, {"name": "eligibility_form"}, "action_listen")


def run(action, tracker_, domain):
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker_, domain.as_dict()))
    return [m.get("text") for m in dispatcher.messages], events


def question(field_id):
    """The field's question as the rules file words it (policy_kb/data/eligibility.yml)."""
    return knowledge()[0].eligibility.fields[field_id].question


def slot_events(events):
    return {e["name"]: e["value"] for e in events if e["event"] == "slot"}


def test_rich_first_message_fills_what_it_says_and_asks_only_the_rest(domain):
    texts, events = run(
        ValidateEligibilityForm(), tracker("我本科毕业，在乐昌租房，想落户", intent="check_eligibility"), domain
    )
    slots = slot_events(events)
    assert slots["elig_housing"] == "rented" and slots["elig_education"] == "college_or_above"
    assert slots["elig_district"] == "乐昌市"
    assert slots["requested_slot"] == "elig_housing_area"  # 乐昌 has town and villages: asked
    assert texts[0].startswith("好的，我问您几个简单的问题")


def test_answer_to_the_asked_question_moves_on(domain):
    _, events = run(ValidateEligibilityForm(), tracker("县城", "elig_housing_area", elig_housing="rented"), domain)
    slots = slot_events(events)
    assert slots["elig_housing_area"] == "town"
    assert slots["requested_slot"] != "elig_housing_area"


def test_button_title_maps_back_exactly(domain):
    _, events = run(ValidateEligibilityForm(), tracker("有，租的", "elig_housing"), domain)
    assert slot_events(events)["elig_housing"] == "rented"


def test_dont_know_is_recorded_and_the_form_continues(domain):
    _, events = run(ValidateEligibilityForm(), tracker("唔知", "elig_housing"), domain)
    slots = slot_events(events)
    assert slots["elig_housing"] == "unknown" and slots["requested_slot"]


def test_correction_changes_an_earlier_answer(domain):
    # as in the running form: Rasa has put the raw text into the requested slot as a candidate
    t = tracker("说错了，是买的房", "elig_housing_area", elig_housing="rented", elig_housing_area="说错了，是买的房")
    texts, events = run(ValidateEligibilityForm(), t, domain)
    assert slot_events(events)["elig_housing"] == "owned"
    assert texts == ["好的，已按您说的更正。", question(slot_events(events)["requested_slot"][len("elig_") :])]


def test_policy_question_mid_form_is_answered_then_the_question_repeats(domain):
    t = tracker("父母投靠子女有冇年龄限制", "elig_housing", intent="faq_relatives", confidence=0.95)
    texts, events = run(ValidateEligibilityForm(), t, domain)
    assert texts[0].endswith("第（五）条") and texts[-1] == question("housing")
    assert slot_events(events)["requested_slot"] == "elig_housing"


@pytest.mark.parametrize(
    "text, intent, expected",
    [
        ("中途问一句，落户要收费不", "ask_not_covered", "《实施意见》没有规定"),  # a detail the document leaves open
        ("等阵先，落户之后宅基地会唔会俾人收返", "faq_rural_land", "第（十一）条"),  # asked without 吗/呢
        ("先插一句，居住证跟户口有啥区别", "nlu_fallback", "第（八）条"),  # the classifier unsure
    ],
)
def test_any_question_mid_form_is_answered_as_outside_it(domain, text, intent, expected):
    texts, events = run(ValidateEligibilityForm(), tracker(text, "elig_housing", intent=intent, confidence=0.5), domain)
    assert expected in texts[0] and texts[-1] == question("housing")
    assert slot_events(events)["requested_slot"] == "elig_housing"


def test_a_goodbye_mid_form_ends_it_with_a_goodbye(domain):
    t = tracker("再见", "elig_housing", intent="goodbye", confidence=0.47)
    _, events = run(ValidateEligibilityForm(), t, domain)
    assert events == [SlotSet("elig_stopped", True), SlotSet("requested_slot", None)]
    stopped = tracker("再见", intent="goodbye", confidence=0.47, elig_stopped=True)
    texts, _ = run(ActionEligibilityVerdict(), stopped, domain)
    assert texts[0].startswith("好的，已停止判断") and texts[1] == knowledge()[0].messages["goodbye"]


def test_unclear_answer_gets_a_hint_and_the_same_question(domain):
    texts, events = run(ValidateEligibilityForm(), tracker("乜话？", "elig_housing"), domain)
    assert texts == ["不好意思，我没太听明白。可以点下面的选项回答，也可以说“不清楚”。", question("housing")]
    assert slot_events(events) == {"requested_slot": "elig_housing", "elig_unclear": 1.0}


def test_stop_ends_the_form_politely(domain):
    _, events = run(ValidateEligibilityForm(), tracker("算了", "elig_housing", intent="stop_flow"), domain)
    assert events == [SlotSet("elig_stopped", True), SlotSet("requested_slot", None)]
    texts, reset = run(ActionEligibilityVerdict(), tracker("", elig_stopped=True), domain)
    assert texts[0].startswith("好的，已停止判断")
    assert all(e["value"] is None for e in reset)


def test_restart_clears_every_answer(domain):
    t = tracker("重新开始", "elig_education", intent="restart_flow", elig_housing="rented")
    texts, events = run(ValidateEligibilityForm(), t, domain)
    slots = slot_events(events)
    assert texts == ["好的，我们从头开始。", question("housing")]
    assert slots["elig_housing"] is None and slots["requested_slot"] == "elig_housing"


def test_land_mentioned_anywhere_is_noted(domain):
    _, events = run(ValidateEligibilityForm(), tracker("租的，屋企仲有宅基地", "elig_housing"), domain)
    assert slot_events(events)["elig_rural_land"] == "yes"


def test_verdict_cites_the_pathway_and_resets(domain):
    t = tracker(
        "", elig_housing="rented", elig_housing_area="town", elig_rural_land="yes", elig_district="乳源瑶族自治县"
    )
    texts, events = run(ActionEligibilityVerdict(), t, domain)
    joined = "\n".join(texts)
    assert "第（三）条" in joined and "第（十一）条" in joined
    assert "乳源瑶族自治县" in joined and "12345" in joined
    assert all(e["value"] is None for e in events)


def test_the_validation_asks_the_next_question_with_buttons_and_is_the_only_asker(domain):
    # Every field the form may ask, reached by answering the one before "唔知" (recorded, moves on).
    form_slots = domain.as_dict()["forms"]["eligibility_form"]["required_slots"]
    assert not [a for a in domain.action_names_or_texts if a.startswith(("action_ask_", "utter_ask_"))]
    asked, slots = [], {}
    requested = None
    for _ in form_slots:
        dispatcher = CollectingDispatcher()
        t = tracker("唔知" if requested else "我想落户", requested, intent="check_eligibility", **slots)
        events = asyncio.run(ValidateEligibilityForm().run(dispatcher, t, domain.as_dict()))
        slots.update({k: v for k, v in slot_events(events).items() if k != "requested_slot"})
        requested = slot_events(events)["requested_slot"]
        if requested is None:
            break
        question = dispatcher.messages[-1]
        assert "？" in question["text"] and question["buttons"]
        assert all(b["payload"] == b["title"] for b in question["buttons"])
        asked.append(requested)
    assert asked and set(asked) <= set(form_slots) and len(set(asked)) == len(asked)


# ── what the resident said before the check, and during it ──────────────────────────────


FORM_STARTED = {"event": "active_loop", "name": "eligibility_form"}


def _user(text):
    return {"event": "user", "text": text}


def tracker_with_history(events, text, requested=None, intent="check_eligibility", **slots):
    message = {"text": text, "intent": {"name": intent, "confidence": 0.9}, "entities": []}
    events = [*events, _user(text)]
    slots = {"requested_slot": requested, **slots}
    return Tracker("resident-2", slots, message, events, False, None, {"name": "eligibility_form"}, "action_listen")


def test_facts_told_just_before_the_check_are_not_asked_again(domain):
    before = [_user("我喺武江区买咗套二手楼，想将户口迁过嚟，得唔得啊？"), {"event": "bot", "text": "可以申请……"}]
    _, events = run(ValidateEligibilityForm(), tracker_with_history(before, "那我这种情况能落户吗？"), domain)
    slots = slot_events(events)
    assert slots["elig_housing"] == "owned" and slots["elig_housing_area"] == "town"
    assert slots["requested_slot"] is None  # decided: the verdict comes next


def test_a_finished_check_is_not_read_again(domain):
    before = [_user("我喺武江区买咗楼"), {"event": "action", "name": "action_eligibility_verdict"}]
    _, events = run(ValidateEligibilityForm(), tracker_with_history(before, "帮我再看看"), domain)
    slots = slot_events(events)
    assert "elig_housing" not in slots and slots["requested_slot"] == "elig_housing"


def test_history_splits_before_and_during_the_check():
    events = [
        _user("租房可以落户吗"),
        _user("我喺煤矿井下做咗十年"),
        FORM_STARTED,
        _user("冇"),
        _user("初中"),
    ]
    t = tracker_with_history(events, "有个中级证", "elig_skill_certified")
    # the message that started the check counts as part of it, whatever its wording
    assert _history(t) == (["租房可以落户吗"], ["我喺煤矿井下做咗十年", "冇", "初中"])


def test_a_subject_brought_up_before_the_check_is_asked_about(domain):
    events = [_user("我喺煤矿井下做咗十年电工，有中级电工证，想落户"), FORM_STARTED]
    slots = {"elig_housing": "none", "elig_family_join": "none", "elig_education": "below_college"}
    t = tracker_with_history(events, "有个中级维修电工证", "elig_skill_certified", intent="inform", **slots)
    _, result = run(ValidateEligibilityForm(), t, domain)
    assert slot_events(result)["requested_slot"] in ("elig_long_term_resident", "elig_hard_industry")


def test_asking_for_ones_own_result_opens_the_lookup_not_the_check(domain):
    # the classifier may hear 落户 and start the check; the resident asks about their application
    opening = tracker("我的落户申请审批结果出来了没有", intent="check_eligibility")
    messages, events = run(ValidateEligibilityForm(), opening, domain)
    assert messages == [] and {"event": "slot", "timestamp": None, "name": "elig_stopped", "value": True} in events
    stopped = tracker("我的落户申请审批结果出来了没有", intent="check_eligibility", elig_stopped=True)
    messages, events = run(ActionEligibilityVerdict(), stopped, domain)
    assert messages == [] and events[-1] == {"event": "followup", "timestamp": None, "name": "status_form"}


def test_an_answer_the_classifier_hears_as_a_goodbye_is_no_goodbye(domain):
    t = tracker("是这样的，跟老伴住一起", "elig_housing", intent="goodbye", confidence=0.6)
    _, events = run(ValidateEligibilityForm(), t, domain)
    assert SlotSet("elig_stopped", True) not in events


def test_leaving_the_check_midway_for_ones_own_application_opens_the_lookup(domain):
    said = "不测了，我老婆上周已经交了申请，帮我查下到哪步了"
    _, events = run(ValidateEligibilityForm(), tracker(said, "elig_housing", intent="stop_flow"), domain)
    assert SlotSet("elig_stopped", True) in events
    messages, events = run(ActionEligibilityVerdict(), tracker(said, elig_stopped=True), domain)
    assert messages == [] and events[-1] == {"event": "followup", "timestamp": None, "name": "status_form"}


def test_another_hukou_business_heard_as_the_check_is_answered_instead(domain):
    said = "居民更改民族成分需符合哪些条件?"
    _, events = run(ValidateEligibilityForm(), tracker(said, intent="check_eligibility"), domain)
    assert SlotSet("elig_stopped", True) in events
    messages, _ = run(ActionEligibilityVerdict(), tracker(said, intent="check_eligibility", elig_stopped=True), domain)
    assert "《实施意见》没有规定" in messages[0] and not any("已停止判断" in m for m in messages)


def test_a_stop_with_a_farewell_ends_with_the_goodbye(domain):
    said = "算啦唔测喇，拜拜"
    texts, _ = run(ActionEligibilityVerdict(), tracker(said, intent="goodbye", elig_stopped=True), domain)
    assert texts[0].startswith("好的，已停止判断") and texts[-1] == knowledge()[0].messages["goodbye"]


def test_a_stop_with_thanks_ends_with_the_thanks_reply(domain):
    said = "我不测了，谢谢啊"
    texts, _ = run(ActionEligibilityVerdict(), tracker(said, intent="stop", elig_stopped=True), domain)
    assert texts[0].startswith("好的，已停止判断") and texts[-1] == knowledge()[0].messages["thank"]


def test_another_places_settling_heard_as_the_check_gets_the_other_city_reply(domain):
    said = "西宁怎么落户，没有房子行不行"
    _, events = run(ValidateEligibilityForm(), tracker(said, intent="check_eligibility"), domain)
    assert SlotSet("elig_stopped", True) in events
    messages, _ = run(ActionEligibilityVerdict(), tracker(said, intent="check_eligibility", elig_stopped=True), domain)
    other_city = str(knowledge()[0].messages["other_city"])
    assert messages and messages[0].startswith(other_city[:12]) and not any("已停止判断" in m for m in messages)
