"""The status conversation against the real domain and a real status store (temporary SQLite).

Each message goes through what the channel does (``protect_message``: ID digits out, keyed token
into the metadata), then Rasa's own slot extraction and FormAction, which call our actions through
rasa-sdk's executor in-process. Only the choice of the next action is scripted, as the rules in
data/stories/status.yml make it; the conversation tests check those rules against the model.
"""

import asyncio
import json

import pytest
import yaml
from rasa.core.actions.action import ActionExecutionRejection, action_for_name_or_text
from rasa.core.channels.channel import CollectingOutputChannel
from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.constants import ACTION_EXTRACT_SLOTS, ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, ActionExecutionRejected, BotUttered, FollowupAction, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import ActionExecutor, CollectingDispatcher

from actions import status
from platform_core.db import dispose_engines
from platform_core.settings import get_settings
from policy_kb.live import KNOWLEDGE
from status_store import protect_message
from status_store.importer import import_file
from tests.conftest import REPO
from tests.status_store.helpers import read_csv

SAMPLE = REPO / "tests" / "status_store" / "fixtures" / "applications.csv"
RECORDS = {r["application_no"]: r for r in read_csv(SAMPLE)}
SECRET = "status-action-tests-secret-0123456789abcdef"
CREDENTIALS = ("application_no", "id_tail")


def tail(number):
    return RECORDS[number]["id_number"][-6:]


def text(key, **values):
    from policy_kb import answers

    kb, _ = KNOWLEDGE.get()
    return answers.message(kb, key, **values).text


@pytest.fixture(scope="module")
def domain():
    return Domain.load(str(REPO / "bot" / "domain"))


@pytest.fixture
def store(tmp_path, monkeypatch):
    """The sample export in a private SQLite file, found the way the action server finds it."""
    monkeypatch.setenv("STATUS_DB_URL", f"sqlite:///{tmp_path / 'status.db'}")
    monkeypatch.setenv("STATUS_HMAC_SECRET", SECRET)
    get_settings.cache_clear()
    assert import_file(SAMPLE, settings=get_settings()).imported
    yield get_settings()
    dispose_engines()
    get_settings.cache_clear()


@pytest.fixture
def store_down(tmp_path, monkeypatch):
    """A database that cannot be opened (the URL names a folder)."""
    monkeypatch.setenv("STATUS_DB_URL", f"sqlite:///{tmp_path}")
    monkeypatch.setenv("STATUS_HMAC_SECRET", SECRET)
    get_settings.cache_clear()
    yield
    dispose_engines()
    get_settings.cache_clear()


def endpoint_options():
    """bot/endpoints.yml's action endpoint options other than its url (e.g. selective domain)."""
    options = dict(yaml.safe_load((REPO / "bot" / "endpoints.yml").read_text())["action_endpoint"])
    options.pop("url")
    return options


class InProcessActionServer:
    """Stands in for the action endpoint: Rasa's RemoteAction posts here, rasa-sdk answers. It has
    the real endpoint's options, so the calls carry what the running Rasa sends (no domain to most)."""

    url, kwargs = "in-process", endpoint_options()

    def __init__(self):
        self.executor = ActionExecutor()
        self.executor.register_package("actions")

    async def request(self, json=None, **_):
        return await self.executor.run(json)


class Conversation:
    """One resident's conversation, turn by turn, as the processor would run it."""

    def __init__(self, domain, sender="resident-1", client=None):
        self.domain, self.endpoint, self.client = domain, InProcessActionServer(), client
        self.output, self.nlg = CollectingOutputChannel(), TemplatedNaturalLanguageGenerator(domain.responses)
        self.tracker = DialogueStateTracker(sender, domain.slots)
        self.tracker.update(ActionExecuted(ACTION_LISTEN_NAME))

    def say(self, raw, intent="check_status", entities=()):
        """What the resident typed → the texts the bot sent back."""
        return asyncio.run(self._turn(raw, intent, entities))

    async def _turn(self, raw, intent, entities):
        # As the channel does: a tail typed alone is keyed by the number the form already holds.
        safe, token = protect_message(raw, SECRET.encode(), self.tracker.get_slot("application_no"))
        metadata = {status.ID_TAIL_TOKEN: token} if token else {}
        if self.client:  # what the channel adds: a keyed token of the address it saw
            metadata[status.CLIENT] = self.client
        self.tracker.update(UserUttered(safe, {"name": intent, "confidence": 1.0}, list(entities), metadata=metadata))
        await self._run(ACTION_EXTRACT_SLOTS, log=False)
        form_was_active = self.tracker.active_loop_name == "status_form"
        if not form_was_active and intent != "check_status":
            raise AssertionError("only check_status opens the status form in these tests")
        replies = await self._run("status_form")
        if replies is None:  # the form rejected the message; a stop rule takes over
            assert intent in ("stop_flow", "goodbye")
            replies = await self._run("action_stop_status")
        elif self.tracker.active_loop_name is None:
            replies += await self._run("action_check_status")
        self.tracker.update(ActionExecuted(ACTION_LISTEN_NAME))
        return replies

    async def _run(self, name, log=True):
        action = action_for_name_or_text(name, self.domain, self.endpoint)
        try:
            events = await action.run(self.output, self.nlg, self.tracker, self.domain)
        except ActionExecutionRejection:
            self.tracker.update(ActionExecutionRejected(name))
            return None
        if log:
            self.tracker.update(ActionExecuted(name))
        self.tracker.update_with_events(events, self.domain)
        return [event.text for event in events if isinstance(event, BotUttered)]

    @property
    def slots(self):
        return {name: self.tracker.get_slot(name) for name in CREDENTIALS}

    def stored(self):
        """Everything Rasa would write to the tracker store for this conversation."""
        return json.dumps([event.as_dict() for event in self.tracker.events], ensure_ascii=False)


def result_text(number, updated_at, note_line=None):
    record = RECORDS[number]
    lines = [
        f"查到了，受理编号 {number} 的办理进度如下：",
        f"申请人：{record['applicant_name'][0]}{'*' * (len(record['applicant_name']) - 1)}",
        f"申请事项：{record['category']}",
        f"当前状态：{record['status']}",
        f"办理窗口：{record['office']}",
        f"最近更新：{updated_at}",
        *([note_line] if note_line else []),
    ]
    return lines


# ── the domain: credentials are set by actions only ─────────────────────────────────────────


def test_credential_slots_are_filled_only_from_the_answer_to_their_own_question(domain):
    for name in CREDENTIALS:
        slot = next(s for s in domain.slots if s.name == name)
        assert not slot.influence_conversation
        assert [m["type"] for m in slot.mappings] == ["from_text"], "never from_entity"
        assert slot.mappings[0]["conditions"] == [{"active_loop": "status_form", "requested_slot": name}]
    mapped = {s.name for s in domain.slots for m in s.mappings if m["type"] == "from_entity"}
    assert not mapped & set(CREDENTIALS)
    assert domain.forms["status_form"]["required_slots"] == list(CREDENTIALS)
    # validate_status_form asks for them itself, with a question for each; nothing else may ask.
    assert set(status.QUESTIONS) == set(CREDENTIALS)
    assert not [a for a in domain.action_names_or_texts if a.startswith(("action_ask_", "utter_ask_"))]


def test_only_the_status_form_validation_is_sent_the_domain(domain):
    # It is a FormValidationAction (reads the form's slots from the domain); every other action
    # gets tracker only, 5 KB less JSON each way per call.
    assert endpoint_options()["enable_selective_domain"] is True
    needing = [a for a in domain.user_actions if domain.does_custom_action_explicitly_need_domain(a)]
    assert needing == ["validate_status_form"]


def test_the_metadata_key_is_the_one_the_channel_writes():
    from bot.channels.guard import ID_TAIL_TOKEN

    assert status.ID_TAIL_TOKEN == ID_TAIL_TOKEN


# ── the happy paths ─────────────────────────────────────────────────────────────────────────


def test_number_then_tail_in_two_messages(domain, store):
    chat = Conversation(domain)
    assert chat.say("我的申请办到哪一步了") == [text("status_ask_number")]
    assert chat.say("sg-2026 110001") == [text("status_ask_id_tail")]
    assert chat.slots == {"application_no": "SG2026110001", "id_tail": None}
    [reply] = chat.say(tail("SG2026110001"))
    assert reply.splitlines() == [
        "查到了，受理编号 SG2026110001 的办理进度如下：",
        "申请人：张*",
        "申请事项：租房落户",
        "当前状态：审核中",
        "办理窗口：武江区户政窗口",
        "最近更新：2026年10月20日",
        "下一步：材料正在审核中，请留意办理窗口的短信或电话通知。",
        "如有疑问，请拨打韶关12345政务服务便民热线（12345）。",
    ]
    assert chat.slots == {"application_no": None, "id_tail": None}
    assert chat.tracker.active_loop_name is None


@pytest.mark.parametrize(
    "message",
    [
        "SG2026110002 {tail}",
        "{tail} sg2026110002",
        "编号：ＳＧ２０２６１１０００２，身份证后六位：{fullwidth}",
        "身份证号码440299199304151{tail3}，受理编号 SG-2026-110002",
    ],
)
def test_number_and_tail_in_one_message_any_order_and_width(domain, store, message):
    own = tail("SG2026110002")  # 15104X
    fullwidth = own.translate(str.maketrans("0123456789X", "０１２３４５６７８９ｘ"))
    chat = Conversation(domain)
    chat.say("查下我的落户进度")
    [reply] = chat.say(message.format(tail=own, fullwidth=fullwidth, tail3=own[3:]))
    lines = reply.splitlines()
    assert lines[:7] == result_text("SG2026110002", "2026年10月22日", "说明：请补交：房屋租赁合同原件；与户主关系证明")
    assert lines[1] == "申请人：欧***" and "欧阳娜娜" not in reply
    assert lines[7] == "下一步：请按通知准备所缺材料，带上受理回执到办理窗口补交。"
    assert chat.slots == {"application_no": None, "id_tail": None}


def test_everything_in_the_opening_message(domain, store):
    chat = Conversation(domain)
    [reply] = chat.say(f"帮我查一下sg2026110003到咩阶段，身份证尾号{tail('SG2026110003')}")
    assert reply.startswith("查到了，受理编号 SG2026110003 的办理进度如下：") and "当前状态：已办结" in reply
    assert "说明" not in reply  # no note: the line is left out
    assert chat.slots == {"application_no": None, "id_tail": None}


def test_tail_first_then_number(domain, store):
    """A tail typed before any number is hidden but gives no token (a token is keyed by the number,
    issue 17 finding 6): the number is asked for, then the tail again."""
    chat = Conversation(domain)
    chat.say("查进度")
    assert chat.say(tail("SG2026110004")) == [text("status_bad_number"), text("status_ask_number")]
    assert chat.say("SG2026110004") == [text("status_ask_id_tail")]
    [reply] = chat.say(tail("SG2026110004"))
    assert "当前状态：已受理" in reply and "乐昌市公安局户政大厅" in reply


def test_something_else_than_a_number_gets_a_hint_and_the_question_again(domain, store):
    chat = Conversation(domain)
    chat.say("查进度")
    assert chat.say("嗯嗯") == [text("status_bad_number"), text("status_ask_number")]
    chat.say("SG2026110001")
    assert chat.say("唔知") == [text("status_bad_id_tail"), text("status_ask_id_tail")]
    assert chat.slots == {"application_no": "SG2026110001", "id_tail": None}


@pytest.mark.parametrize("intent", ["ask_not_covered", "nlu_fallback"])
def test_a_question_the_document_leaves_open_is_answered_mid_lookup(domain, store, intent):
    chat = Conversation(domain)
    chat.say("查进度")
    said = chat.say("稍等，办迁户口可以叫家里人代办吗", intent=intent)
    assert "《实施意见》没有规定" in said[0] and said[-1] == text("status_ask_number")
    assert chat.tracker.active_loop_name == "status_form"


# ── failures: one neutral reply, then the lockout ───────────────────────────────────────────


def test_wrong_tail_and_unknown_number_get_the_very_same_reply(domain, store):
    wrong = Conversation(domain, "resident-wrong")
    wrong.say("查进度")
    unknown = Conversation(domain, "resident-unknown")
    unknown.say("查进度")
    assert wrong.say(f"SG2026110001 {tail('SG2026110002')}") == [text("status_not_found")]
    assert unknown.say(f"SG2099000001 {tail('SG2026110001')}") == [text("status_not_found")]
    for chat in (wrong, unknown):
        assert chat.slots == {"application_no": None, "id_tail": None}
        assert chat.tracker.active_loop_name is None


def test_the_neutral_reply_offers_to_try_again(domain, store):
    dispatcher = CollectingDispatcher()
    asyncio.run(status.ActionCheckStatus().run(dispatcher, sdk_tracker("SG2099000001", "000000"), domain.as_dict()))
    assert dispatcher.messages[0]["buttons"] == [{"title": "重新查询", "payload": "/check_status"}]
    assert "12345" in dispatcher.messages[0]["text"]


def test_five_failures_in_an_hour_stop_lookups_with_the_hotline(domain, store):
    chat = Conversation(domain, "resident-guessing")
    for guess in range(4):
        chat.say("查进度")
        assert chat.say(f"SG2026110001 {100000 + guess}") == [text("status_not_found")]
    chat.say("查进度")
    assert chat.say("SG2026110001 100004") == [text("status_locked")]
    assert "12345" in text("status_locked")
    # Locked: not even asked for credentials any more, and the right ones no longer help.
    assert chat.say("查进度") == [text("status_locked")]
    assert chat.tracker.active_loop_name is None
    assert chat.say(f"帮我查 SG2026110001 {tail('SG2026110001')}") == [text("status_locked")]
    # Another conversation is not affected, except for the number that was being guessed: it rests.
    other = Conversation(domain, "resident-other")
    [reply] = other.say(f"查 SG2026110002 {tail('SG2026110002')}")
    assert "当前状态：需补充材料" in reply
    assert Conversation(domain, "resident-owner").say(f"查 SG2026110001 {tail('SG2026110001')}") == [
        text("status_locked")
    ]


def test_a_dozen_conversations_guessing_one_number_then_the_right_tail_reveals_nothing(domain, store):
    for n in range(12):
        guess = Conversation(domain, f"rotating-{n}")
        guess.say("查进度")
        assert guess.say(f"SG2026110003 {200000 + n}") in ([text("status_not_found")], [text("status_locked")])
    [reply] = Conversation(domain, "rotating-last").say(f"查 SG2026110003 {tail('SG2026110003')}")
    assert reply == text("status_locked") and "已办结" not in reply and "12345" in reply


def test_one_client_rotating_conversations_and_numbers_is_stopped(domain, store):
    numbers = sorted(RECORDS)
    for n in range(20):  # at most three failures on any one number
        guess = Conversation(domain, f"client-a-{n}", client="a" * 32)
        guess.say(f"查 {numbers[n % len(numbers)]} {300000 + n}")
    # Locked: a new conversation from that client is refused before it is asked for anything.
    assert Conversation(domain, "client-a-new", client="a" * 32).say("查进度") == [text("status_locked")]
    [reply] = Conversation(domain, "client-b", client="b" * 32).say(f"查 SG2026110004 {tail('SG2026110004')}")
    assert "当前状态：已受理" in reply


def test_store_down_at_the_start_gets_a_polite_reply_not_a_crash(domain, store_down):
    chat = Conversation(domain)
    assert chat.say("我的申请办到哪一步了") == [text("status_unavailable")]
    assert "12345" in text("status_unavailable")
    assert chat.tracker.active_loop_name is None
    assert chat.slots == {"application_no": None, "id_tail": None}


def sdk_tracker(number, raw_tail, sender="resident-1"):
    _, token = protect_message(raw_tail, SECRET.encode(), number)
    slots = {"application_no": number, "id_tail": token, "requested_slot": None}
    message = {"text": "[已隐去]", "intent": {"name": "check_status"}, "entities": [], "metadata": {}}
    return Tracker(sender, slots, message, [], False, None, {}, "status_form")


def test_store_down_at_the_lookup_gets_a_polite_reply_and_forgets(domain, store_down):
    dispatcher = CollectingDispatcher()
    events = asyncio.run(
        status.ActionCheckStatus().run(dispatcher, sdk_tracker("SG2026110001", "121017"), domain.as_dict())
    )
    assert [m["text"] for m in dispatcher.messages] == [text("status_unavailable")]
    assert events == [SlotSet("application_no", None), SlotSet("id_tail", None)]


@pytest.fixture
def store_behind(tmp_path, monkeypatch):
    """The scaled profile (DB_MIGRATIONS=explicit) with a database nobody migrated."""
    monkeypatch.setenv("STATUS_DB_URL", f"sqlite:///{tmp_path / 'never-migrated.db'}")
    monkeypatch.setenv("STATUS_HMAC_SECRET", SECRET)
    monkeypatch.setenv("DB_MIGRATIONS", "explicit")
    get_settings.cache_clear()
    yield
    dispose_engines()
    get_settings.cache_clear()


def test_a_store_behind_its_migrations_is_not_used_and_gets_the_polite_reply(domain, store_behind, tmp_path):
    dispatcher = CollectingDispatcher()
    asyncio.run(status.ActionCheckStatus().run(dispatcher, sdk_tracker("SG2026110001", "121017"), domain.as_dict()))
    assert [m["text"] for m in dispatcher.messages] == [text("status_unavailable")]
    assert not (tmp_path / "never-migrated.db").exists() or (tmp_path / "never-migrated.db").stat().st_size == 0


@pytest.mark.parametrize(
    "number, forged",
    [
        ("SG2026110001", tail("SG2026110001")),
        ("SG2026110002", tail("SG2026110002").lower()),
        ("SG2026110001", int(tail("SG2026110001"))),
        ("SG2026110001", [tail("SG2026110001")]),
    ],
)
def test_raw_digits_in_the_tail_slot_are_never_looked_up(domain, store, number, forged):
    # What a call made straight to the action server could carry: the right tail, as digits rather
    # than the channel's keyed token. Without the secret no token can be made for a guess.
    slots = {"application_no": number, "id_tail": forged, "requested_slot": None}
    message = {"text": "[已隐去]", "intent": {"name": "check_status"}, "entities": [], "metadata": {}}
    tracker = Tracker("forger", slots, message, [], False, None, {}, "status_form")
    dispatcher = CollectingDispatcher()
    events = asyncio.run(status.ActionCheckStatus().run(dispatcher, tracker, domain.as_dict()))
    assert [m["text"] for m in dispatcher.messages] == [text("status_not_found")]
    assert events == [SlotSet("application_no", None), SlotSet("id_tail", None)]


def test_a_successful_lookup_returns_only_the_clearing_events(domain, store):
    dispatcher = CollectingDispatcher()
    tracker = sdk_tracker("SG2026110005", tail("SG2026110005"))
    events = asyncio.run(status.ActionCheckStatus().run(dispatcher, tracker, domain.as_dict()))
    assert events == [SlotSet("application_no", None), SlotSet("id_tail", None)]
    assert "当前状态：不予受理" in dispatcher.messages[0]["text"]
    assert "说明：所提交的居住证明不在有效期内" in dispatcher.messages[0]["text"]


# ── stopping, and what a resident cannot set ────────────────────────────────────────────────


def test_stop_ends_the_form_politely_and_forgets_what_was_given(domain, store):
    chat = Conversation(domain)
    chat.say("查进度")
    chat.say("SG2026110001")
    assert chat.say("算了", intent="stop_flow") == [text("status_stopped")]
    assert chat.tracker.active_loop_name is None
    assert chat.slots == {"application_no": None, "id_tail": None}
    assert chat.tracker.get_slot("requested_slot") is None


def test_goodbye_while_asked_ends_the_form_the_same_way(domain, store):
    chat = Conversation(domain)
    chat.say("查进度")
    assert chat.say("退出", intent="goodbye") == [text("status_stopped")]
    assert chat.tracker.active_loop_name is None


def test_a_goodbye_while_asked_is_said_goodbye_to(domain, store):
    chat = Conversation(domain)
    chat.say("查进度")
    assert chat.say("拜拜", intent="goodbye") == [text("status_stopped"), text("goodbye")]


def test_a_question_that_comes_with_the_stop_is_answered_too(domain, store):
    chat = Conversation(domain)
    chat.say("查进度")
    said = chat.say("算了先不查，问个别的，集体户口现在放宽了没", intent="stop_flow")
    assert said[0] == text("status_stopped") and "第（四）条" in said[1]
    assert chat.tracker.active_loop_name is None


def test_a_policy_question_mid_lookup_is_answered_whatever_the_classifier_heard(domain, store):
    chat = Conversation(domain)
    chat.say("查进度")
    said = chat.say("等等，我先问问小孩户口迁过来能读公办学校不", intent="faq_education")
    assert "第（十二）条" in said[0] and said[-1] == text("status_ask_number")
    said = chat.say("广州地铁怎么收费", intent="out_of_scope")
    assert said[0].startswith(text("out_of_scope")[:10]) and said[-1] == text("status_ask_number")


def test_typed_intent_with_entities_sets_nothing(domain, store):
    _, token = protect_message(tail("SG2026110001"), SECRET.encode(), "SG2026110001")
    payload = f'/check_status{{"application_no": "SG2026110001", "id_tail": "{token}"}}'
    entities = [
        {"entity": "application_no", "value": "SG2026110001"},
        {"entity": "id_tail", "value": token},
    ]
    chat = Conversation(domain)
    assert chat.say(payload, entities=entities) == [text("status_ask_number")]
    assert chat.slots == {"application_no": None, "id_tail": None}
    # Asked for the number, the same payload is still not an answer.
    assert chat.say(payload, entities=entities) == [text("status_bad_number"), text("status_ask_number")]
    assert chat.slots == {"application_no": None, "id_tail": None}


def test_no_id_digits_in_anything_the_tracker_would_store(domain, store):
    chat = Conversation(domain)
    chat.say("我的申请办到哪一步了")
    chat.say("SG2026110007")
    chat.say(f"身份证号码是{RECORDS['SG2026110007']['id_number']}")
    stored = chat.stored()
    assert "审核中" in stored or "需补充材料" in stored  # the result itself was stored
    for record in RECORDS.values():
        for secret in (record["id_number"], record["id_number"][-6:], record["id_number"][-6:].lower()):
            assert secret not in stored, record["application_no"]


def test_a_policy_question_mid_form_is_answered_then_the_question_repeats(domain, store):
    chat = Conversation(domain)
    chat.say("查进度")
    replies = chat.say("父母投靠子女有冇年龄限制？", intent="faq_relatives")
    assert replies[0].endswith("第（五）条") and replies[-1] == text("status_ask_number")


@pytest.mark.parametrize(
    "said",
    [
        "我唔记得喇",
        "回执搞丢了，没有编号",
        "冇编号啊，张纸唔见咗",
        "我没有那个编号",
        "单子被孩子撕了，号码看不清",
        "受理号我不知道",
    ],
)
def test_no_receipt_is_shown_the_window_and_hotline_not_asked_again(domain, store, said):
    # issue 16: asking again for a number the resident does not have led nowhere
    chat = Conversation(domain)
    chat.say("查进度")
    [reply] = chat.say(said)
    assert reply == text("status_no_number") and "12345" in reply and "窗口" in reply
    assert chat.slots == {"application_no": None, "id_tail": None}


def test_a_thank_you_instead_of_the_number_ends_the_lookup_politely(domain, store):
    chat = Conversation(domain)
    chat.say("查进度")
    assert chat.say("多谢", intent="thank") == [text("thank")]
    assert chat.tracker.active_loop_name is None and chat.slots == {"application_no": None, "id_tail": None}


def test_how_many_days_mid_lookup_is_answered_not_taken_for_a_wrong_number(domain, store):
    chat = Conversation(domain)
    chat.say("查进度")
    said = chat.say("审批一般要几天", intent="nlu_fallback")
    assert said[0] != text("status_bad_number") and "《实施意见》没有规定" in said[0]


def test_another_places_application_rules_do_not_open_the_lookup(domain, store):
    chat = Conversation(domain)
    said = chat.say("2026年广州番禺区积分制入学申请对象")
    assert text("status_ask_number") not in said and chat.tracker.active_loop_name is None


def test_no_receipt_said_in_the_opening_message_gets_the_way_forward_at_once(domain, store):
    chat = Conversation(domain)
    assert chat.say("我想查户口办理进度，但是回执单找不着了") == [text("status_no_number")]
    assert chat.tracker.active_loop_name is None


@pytest.mark.parametrize(
    "said", ["我女儿帮我交的申请，想问办得怎样了，回执在她手上", "材料递上去了办得如何，单子在我老公那里"]
)
def test_a_receipt_in_someone_elses_hands_gets_the_way_forward_at_once(domain, store, said):
    chat = Conversation(domain)
    assert chat.say(said) == [text("status_no_number")]
    assert chat.tracker.active_loop_name is None


def test_leaving_the_lookup_for_the_check_starts_the_check(domain, store):
    chat = Conversation(domain)
    chat.say("查进度")
    said = "先别查了，我想先判断下自己够不够条件落户"
    assert chat.say(said, intent="nlu_fallback") == []
    followups = [e.action_name for e in chat.tracker.events if isinstance(e, FollowupAction)]
    assert chat.tracker.active_loop_name is None and followups == ["eligibility_form"]
