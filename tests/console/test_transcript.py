"""What a hotline agent reads of a conversation: resident messages with what the assistant
understood, its replies, form and slot changes, pauses; identity data masked."""

from console.transcript import MASKED, render

TRACKER = {
    "paused": True,
    "active_loop": {"name": "status_form"},
    "slots": {
        "application_no": "SG2026110001",
        "id_tail": "0f" * 16,
        "staff_reply": None,
        "requested_slot": "id_tail",
        "session_started_metadata": {"x": 1},
        "elig_housing": None,
    },
    "events": [
        {"event": "action", "name": "action_session_start", "timestamp": 1764000000.0},
        {"event": "session_started", "timestamp": 1764000000.1},
        {
            "event": "user",
            "timestamp": 1764000001.0,
            "text": "我的申请办到哪一步了",
            "input_channel": "socketio",
            "parse_data": {"intent": {"name": "check_status", "confidence": 0.98765}, "entities": []},
        },
        {"event": "active_loop", "name": "status_form", "timestamp": 1764000001.1},
        {
            "event": "bot",
            "timestamp": 1764000001.2,
            "text": "请告诉我受理编号",
            "data": {"buttons": [{"title": "算了", "payload": "/stop_flow"}]},
        },
        {"event": "slot", "name": "requested_slot", "value": "application_no", "timestamp": 1764000001.3},
        {
            "event": "user",
            "timestamp": 1764000002.0,
            "text": "SG2026110001，身份证440299199001010012",
            "parse_data": {"intent": {"name": "inform", "confidence": 0.5}},
        },
        {"event": "slot", "name": "application_no", "value": "SG2026110001", "timestamp": 1764000002.1},
        {"event": "slot", "name": "id_tail", "value": "0f" * 16, "timestamp": 1764000002.2},
        {"event": "user", "timestamp": 1764000003.0, "text": "转人工", "parse_data": {}},
        {"event": "pause", "timestamp": 1764000003.1},
        {"event": "slot", "name": "staff_reply", "value": "您好", "timestamp": 1764000004.0},
        {"event": "action", "name": "action_staff_reply", "timestamp": 1764000004.05},
        {"event": "bot", "timestamp": 1764000004.1, "text": "【工作人员】您好", "data": {}},
        {"event": "resume", "timestamp": 1764000005.0},
        {"event": "active_loop", "name": None, "timestamp": 1764000005.1},
    ],
}


def test_every_kind_of_entry_in_order():
    view = render(TRACKER)
    kinds = [e["kind"] for e in view["entries"]]
    assert kinds == ["user", "form", "bot", "user", "slot", "slot", "user", "pause", "bot", "resume", "form"]
    first = view["entries"][0]
    assert (first["text"], first["intent"], first["confidence"], first["channel"]) == (
        "我的申请办到哪一步了",
        "check_status",
        0.988,
        "socketio",
    )
    assert first["time"] == "2025-11-24T16:00:01+00:00"
    assert view["entries"][2]["buttons"] == ["算了"]
    assert [e["staff"] for e in view["entries"] if e["kind"] == "bot"] == [False, True], "who wrote each reply"
    assert view["entries"][6]["intent"] is None and view["entries"][6]["confidence"] is None
    assert view["entries"][-1] == {"kind": "form", "name": None, "time": "2025-11-24T16:00:05+00:00"}


def test_identity_data_is_masked_and_bookkeeping_hidden():
    view = render(TRACKER)
    text = str(view)
    assert "440299199001010012" not in text and "0f0f0f" not in text
    assert "[已隐去]" in view["entries"][3]["text"]
    assert {"kind": "slot", "name": "id_tail", "value": MASKED} == {
        k: v for k, v in view["entries"][5].items() if k != "time"
    }
    assert view["slots"] == {"application_no": "SG2026110001", "id_tail": MASKED}
    assert not any(e.get("name") in ("requested_slot", "staff_reply") for e in view["entries"] if e["kind"] == "slot")


def test_current_form_and_pause_state():
    view = render(TRACKER)
    assert (view["form"], view["paused"]) == ("status_form", True)
    assert render({"events": []}) == {"entries": [], "slots": {}, "form": None, "paused": False}
