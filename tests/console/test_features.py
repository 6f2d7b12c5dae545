"""What staff do in the console: search the policy as the assistant does, look up an
application (audited), work the handoff queue through Rasa's API, read the report."""

import yaml
from sqlalchemy import select

from console import insights
from console.store import AuditEntry, session_scope
from platform_core.db import dispose_engines
from platform_core.settings import Settings, get_settings
from policy_kb import answers
from policy_kb.live import KNOWLEDGE
from service_desk import handoffs
from service_desk.signals import record_signal
from service_desk.store import ACTIVE, CLOSED, FALLBACK, GAVE_UP, NOT_COVERED, NOT_USEFUL, REQUESTED, USEFUL, WAITING
from status_store.importer import import_file
from tests.console.conftest import console, run
from tests.console.test_rasa_api import _closed_port
from tests.status_store.helpers import read_csv
from tests.status_store.test_importer import SAMPLE

RECORDS = read_csv(SAMPLE)
SECRET = "console-test-status-secret-0123456789abcdef"


def _audit(action=None):
    query = select(AuditEntry).order_by(AuditEntry.id)
    if action:
        query = query.where(AuditEntry.action == action)
    with session_scope() as session:
        return [(e.username, e.action, e.target, e.detail) for e in session.execute(query).scalars()]


async def _as(c, username):
    c.client.session.cookie_jar.clear()
    assert (await c.login(username)).status == 303


# —— policy search ——


def test_search_gives_the_assistants_answer_with_its_citation(tmp_path, users):
    question = "租房可以落户吗"

    async def scenario(c):
        await _as(c, "hotline1")
        found = await (await c.get(f"/staff/api/search?q={question}")).json()
        kb, index = KNOWLEDGE.get()
        best = index.search(question, k=1)[0].faq
        first = found["results"][0]
        assert first["faq_id"] == best.id and first["question"] == best.question
        assert first["text"] == answers.faq_reply(kb, best, question).text
        assert first["citation"].startswith("依据：《韶关市人民政府关于进一步推进户籍制度改革的实施意见》")
        assert "第（三）条" in first["citation"]
        assert first["text"] == f"{first['answer']}\n{first['citation']}"
        assert found["not_covered"] is None
        assert (await (await c.get("/staff/api/search?q=")).json())["results"] == []

    run(_in(tmp_path, scenario))


def test_search_names_what_the_document_leaves_open(tmp_path, users):
    question = "落户要交多少钱"

    async def scenario(c):
        await _as(c, "comms1")
        found = await (await c.get(f"/staff/api/search?q={question}")).json()
        kb, _ = KNOWLEDGE.get()
        assert found["not_covered"] == answers.not_covered_reply(kb, question).text
        assert "《实施意见》没有规定" in found["not_covered"]

    run(_in(tmp_path, scenario))


async def _in(tmp_path, scenario, **settings):
    async with console(tmp_path, **settings) as c:
        return await scenario(c)


# —— application status ——


def _status_store(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'status.db'}"
    import_file(SAMPLE, settings=Settings(status_db_url=url, hmac_secret=SECRET.encode()))
    monkeypatch.setenv("STATUS_DB_URL", url)
    monkeypatch.setenv("STATUS_HMAC_SECRET", SECRET)
    get_settings.cache_clear()


def test_status_lookup_shows_the_masked_view_and_is_audited(tmp_path, users, monkeypatch):
    _status_store(tmp_path, monkeypatch)
    record = RECORDS[1]

    async def scenario(c):
        await _as(c, "hotline1")
        typed = {"application_no": record["application_no"].lower(), "id_tail": record["id_number"][-6:].lower()}
        response = await c.post("/staff/api/status", typed)
        body = await response.json()
        assert response.status == 200 and body["found"], body
        app = body["application"]
        assert (app["application_no"], app["status"], app["office"]) == (
            record["application_no"],
            record["status"],
            record["office"],
        )
        assert app["masked_name"] == "欧***" and record["applicant_name"] not in await response.text()
        assert app["note"] == record["note"] and app["next_step"]

        wrong = await (await c.post("/staff/api/status", {**typed, "id_tail": "000000"})).json()
        unknown = await (
            await c.post("/staff/api/status", {"application_no": "SG2099000001", "id_tail": typed["id_tail"]})
        ).json()
        assert wrong["found"] is unknown["found"] is False and wrong["message"] == unknown["message"]

        bad = await c.post("/staff/api/status", {"application_no": "张三", "id_tail": "123456"})
        assert bad.status == 400 and "受理编号格式不正确" in (await bad.json())["error"]
        bad = await c.post("/staff/api/status", {"application_no": "SG2026110001", "id_tail": "12"})
        assert bad.status == 400 and "后六位" in (await bad.json())["error"]

    try:
        run(_in(tmp_path, scenario))
    finally:
        get_settings.cache_clear()
        dispose_engines()
    entries = _audit("status_lookup")
    assert entries == [
        ("hotline1", "status_lookup", record["application_no"], "找到"),
        ("hotline1", "status_lookup", record["application_no"], "未找到或身份证后六位不符"),
        ("hotline1", "status_lookup", "SG2099000001", "未找到或身份证后六位不符"),
    ]
    assert record["id_number"][-6:] not in str(_audit())


def test_admins_read_the_audit_log_and_nobody_else_does(tmp_path, users):
    async def scenario(c):
        await _as(c, "hotline1")
        assert (await c.get("/staff/api/audit")).status == 403
        await _as(c, "admin1")
        log = await (await c.get("/staff/api/audit")).json()
        assert [(e["username"], e["action_label"]) for e in log["entries"]][:2] == [
            ("admin1", "登录"),
            ("hotline1", "登录"),
        ]
        only = await (await c.get("/staff/api/audit?username=hotline1&action=login")).json()
        assert {(e["username"], e["action"]) for e in only["entries"]} == {("hotline1", "login")}
        assert log["actions"]["status_lookup"] == "查询申请进度"

    run(_in(tmp_path, scenario))


# —— the handoff queue ——

CONVERSATION = "web/会话-1"


def test_queue_shows_waiting_time_channel_and_reason(tmp_path, users):
    handoffs.open_handoff(CONVERSATION, "socketio", REQUESTED)
    handoffs.open_handoff("wx-openid-2", "wechat", GAVE_UP)

    async def scenario(c):
        await _as(c, "hotline1")
        items = (await (await c.get("/staff/api/queue")).json())["items"]
        assert [(i["conversation_id"], i["channel_label"], i["reason_label"], i["status_label"]) for i in items] == [
            (CONVERSATION, "网页聊天", "居民要求转人工", "等待接管"),
            ("wx-openid-2", "微信公众号", "助手多次未能理解", "等待接管"),
        ]
        assert all(isinstance(i["waiting_seconds"], int) and i["waiting_seconds"] >= 0 for i in items)

    run(_in(tmp_path, scenario))


def test_take_over_reply_and_hand_back_through_rasa(tmp_path, users):
    item = handoffs.open_handoff(CONVERSATION, "socketio", REQUESTED)

    async def scenario(c):
        c.rasa.say(CONVERSATION, "转人工", "request_human", 0.9731, "好的，已为您转接人工服务")
        await _as(c, "hotline1")
        detail = await (await c.get(f"/staff/api/handoffs/{item.id}")).json()
        said = detail["transcript"]["entries"][0]
        assert (said["text"], said["intent"], said["confidence"]) == ("转人工", "request_human", 0.973)
        assert detail["transcript"]["entries"][1]["text"] == "好的，已为您转接人工服务"

        before_take = await c.post(f"/staff/api/handoffs/{item.id}/reply", {"text": "您好"})
        assert before_take.status == 409 and "请先接管" in (await before_take.json())["error"]
        taken = await c.post(f"/staff/api/handoffs/{item.id}/take")
        assert taken.status == 200 and (await taken.json())["item"]["status"] == ACTIVE
        assert c.rasa.tracker(CONVERSATION).paused
        assert c.rasa.seen[-1].raw_path == "/conversations/web%2F%E4%BC%9A%E8%AF%9D-1/tracker/events"

        await _as(c, "hotline2")
        for action, body in (("take", {}), ("reply", {"text": "抢答"}), ("handback", {})):
            refused = await c.post(f"/staff/api/handoffs/{item.id}/{action}", body)
            assert refused.status == 409 and "已由 hotline1 接管" in (await refused.json())["error"], action

        await _as(c, "hotline1")
        assert (await c.post(f"/staff/api/handoffs/{item.id}/reply", {"text": "  "})).status == 400
        sent = await c.post(f"/staff/api/handoffs/{item.id}/reply", {"text": "您好，我是12345工作人员"})
        assert sent.status == 200
        slot, execute = c.rasa.seen[-2:]
        assert slot.body == [{"event": "slot", "name": "staff_reply", "value": "您好，我是12345工作人员"}]
        assert (execute.body, execute.query["output_channel"]) == ({"name": "action_staff_reply"}, "latest")
        # An ID number typed into a reply never reaches the tracker.
        await c.post(f"/staff/api/handoffs/{item.id}/reply", {"text": "您的身份证440299198503121017已核对"})
        assert c.rasa.seen[-2].body[0]["value"] == "您的身份证[已隐去]已核对"

        transcript = (await (await c.get(f"/staff/api/handoffs/{item.id}")).json())["transcript"]
        staff_said = [e["text"] for e in transcript["entries"] if e["kind"] == "bot" and e["staff"]]
        assert transcript["paused"] and staff_said[0] == "【工作人员】您好，我是12345工作人员"
        back = await c.post(f"/staff/api/handoffs/{item.id}/handback")
        assert back.status == 200 and (await back.json())["item"]["status"] == CLOSED
        resume, execute = c.rasa.seen[-2:]
        assert (resume.body, execute.body) == ([{"event": "resume"}], {"name": "action_handback"})
        assert not c.rasa.tracker(CONVERSATION).paused
        assert (await (await c.get("/staff/api/queue")).json())["items"] == []
        late = await c.post(f"/staff/api/handoffs/{item.id}/reply", {"text": "还在吗"})
        assert late.status == 409 and "已交还助手" in (await late.json())["error"]

    run(_in(tmp_path, scenario))
    assert [(u, a, t) for u, a, t, _ in _audit() if a not in ("login",)] == [
        ("hotline1", "take_over", CONVERSATION),
        ("hotline1", "reply", CONVERSATION),
        ("hotline1", "reply", CONVERSATION),
        ("hotline1", "hand_back", CONVERSATION),
    ]
    assert _audit("reply")[0][3] == "您好，我是12345工作人员"


def test_an_admin_can_hand_back_a_conversation_someone_else_took(tmp_path, users):
    item = handoffs.open_handoff("r-admin", "rest", GAVE_UP)
    handoffs.take(item.id, "hotline1")

    async def scenario(c):
        await _as(c, "admin1")
        assert (await c.post(f"/staff/api/handoffs/{item.id}/reply", {"text": "您好"})).status == 409
        assert (await c.post(f"/staff/api/handoffs/{item.id}/handback")).status == 200

    run(_in(tmp_path, scenario))
    assert handoffs.get(item.id).status == CLOSED


def test_when_rasa_is_down_nothing_changes_and_staff_are_told(tmp_path, users):
    item = handoffs.open_handoff("r-down", "rest", REQUESTED)

    async def scenario(c):
        await _as(c, "hotline1")
        detail = await (await c.get(f"/staff/api/handoffs/{item.id}")).json()
        assert "无法连接助手服务" in detail["transcript_error"] and detail["item"]["status"] == WAITING
        refused = await c.post(f"/staff/api/handoffs/{item.id}/take")
        assert refused.status == 502 and "无法连接助手服务" in (await refused.json())["error"]

    run(_in(tmp_path, scenario, rasa_api_url=f"http://127.0.0.1:{_closed_port()}"))
    assert handoffs.get(item.id).status == WAITING and _audit("take_over") == []


def test_unknown_handoff(tmp_path, users):
    async def scenario(c):
        await _as(c, "hotline1")
        missing = await c.get("/staff/api/handoffs/999")
        assert missing.status == 404 and (await missing.json())["error"] == "没有这条转人工记录。"

    run(_in(tmp_path, scenario))


# —— the report ——


def test_report_groups_unanswered_questions_with_a_draft_and_rates_answers(tmp_path, users):
    # The same words three times: one group whatever the grouping threshold (console/insights.py).
    for kind in (NOT_COVERED, FALLBACK, NOT_COVERED):
        assert record_signal(kind, "落户要交多少钱")
    kb, _ = KNOWLEDGE.get()
    faq_id = next(iter(kb.faqs))
    for kind in (NOT_USEFUL, NOT_USEFUL, USEFUL):
        record_signal(kind, "问题", faq_id=faq_id)

    async def scenario(c):
        await _as(c, "comms1")
        report = await (await c.get("/staff/api/report")).json()
        group = report["unanswered"][0]
        assert group["count"] == 3 and group["examples"][0] == "落户要交多少钱"
        assert {(k["kind"], k["count"]) for k in group["kinds"]} == {(NOT_COVERED, 2), (FALLBACK, 1)}
        draft = yaml.safe_load(group["draft"])
        assert draft[0]["question"] == "落户要交多少钱" and draft[0]["status"] == "draft"
        expected = insights.unanswered_groups(limit=50)
        assert [(g["count"], g["examples"]) for g in report["unanswered"]] == [(g.count, g.examples) for g in expected]
        assert report["least_useful"][0] == {
            "faq_id": faq_id,
            "question": kb.faqs[faq_id].question,
            "useful": 1,
            "not_useful": 2,
        }
        page = await (await c.get("/staff/report")).text()
        assert "助手答不好的问题" in page

    run(_in(tmp_path, scenario))
