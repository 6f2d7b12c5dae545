"""Identity slots never outlive a session: an expired session starts with none of them."""

import json

from sqlalchemy import create_engine, text

EXPIRED_BY_SECONDS = 2 * 3600  # session_expiration_time is 60 minutes (bot/domain/conversation.yml)


def _age_conversation(drill, sender, seconds):
    """Move every stored event of ``sender`` ``seconds`` into the past (column and JSON alike)."""
    engine = create_engine(drill.config.store_url("tracker", direct=True), future=True)
    with engine.begin() as conn:
        rows = conn.execute(text("SELECT id, data FROM events WHERE sender_id = :s"), {"s": sender}).all()
        for row_id, data in rows:
            event = json.loads(data)
            event["timestamp"] -= seconds
            conn.execute(
                text("UPDATE events SET timestamp = :t, data = :d WHERE id = :i"),
                {"t": event["timestamp"], "d": json.dumps(event), "i": row_id},
            )
    engine.dispose()


def test_identity_slots_do_not_carry_over_into_a_new_session(drill):
    sender = "session-expiry"
    drill.ask(sender, "我的申请办到哪一步了")
    assert "身份证号码的最后六位" in drill.ask(sender, "SG2026110001").text
    assert drill.tracker(sender)["slots"]["application_no"] == "SG2026110001"

    _age_conversation(drill, sender, EXPIRED_BY_SECONDS)
    answer = drill.ask(sender, "你好")
    assert "您好" in answer.text and "SG2026110001" not in answer.text

    tracker = drill.tracker(sender)
    assert [e["event"] for e in drill.events(sender)].count("session_started") == 2
    assert tracker["slots"]["application_no"] is None and tracker["slots"]["id_tail"] is None
    assert not tracker["active_loop"].get("name")
