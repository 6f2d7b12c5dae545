"""The WeChat channel inside the real running assistant (launcher.embedded, trained model, action server),
in 安全模式 as production runs it: an EncodingAESKey is set, pushes are encrypted and signed."""

import sqlite3
import time
import uuid
from pathlib import Path

import pytest
import requests
from wechatpy.crypto import WeChatCrypto

from bot.channels.wechat_protocol import parse_xml, signature
from tests.stack import running_stack
from tests.web_chat_client import hang_up, web_chat_session

TOKEN, APP_ID = "e2e-wechat-token", "wx2c2769f8efd9abc2"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"  # WeChat's sample EncodingAESKey
CRYPTO = WeChatCrypto(TOKEN, AES_KEY, APP_ID)
URL = "http://localhost:{port}/webhooks/wechat/webhook"


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    env = {"WECHAT_TOKEN": TOKEN, "WECHAT_APP_ID": APP_ID, "WECHAT_AES_KEY": AES_KEY}
    with running_stack(tmp_path_factory.mktemp("wechat"), env=env) as running:
        yield running


def _push(content, msg_id, openid="o-e2e"):
    return (
        f"<xml><ToUserName><![CDATA[gh_e2e]]></ToUserName><FromUserName><![CDATA[{openid}]]></FromUserName>"
        f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
        f"<Content><![CDATA[{content}]]></Content><MsgId>{msg_id}</MsgId></xml>"
    )


def _signed_request(content, msg_id, good_signature=True, openid="o-e2e"):
    """(params, body) of a safe-mode push, as WeChat signs and encrypts it."""
    ts, nonce = str(int(time.time())), uuid.uuid4().hex[:10]
    encrypted = parse_xml(CRYPTO.encrypt_message(_push(content, msg_id, openid), nonce, ts).encode())
    body = (
        f"<xml><ToUserName><![CDATA[gh_e2e]]></ToUserName><Encrypt><![CDATA[{encrypted['Encrypt']}]]></Encrypt></xml>"
    )
    params = {
        "timestamp": ts,
        "nonce": nonce,
        "signature": signature(TOKEN, ts, nonce),
        "encrypt_type": "aes",
        "msg_signature": encrypted["MsgSignature"] if good_signature else "0" * 40,
    }
    return params, body.encode()


def _send(stack, params, body):
    return requests.post(URL.format(port=stack.rasa_port), params=params, data=body, timeout=30)


def _post(stack, content, msg_id, good_signature=True, openid="o-e2e"):
    return _send(stack, *_signed_request(content, msg_id, good_signature, openid))


def _content(response):
    """The text of an encrypted passive reply."""
    assert response.status_code == 200, response.text
    fields = parse_xml(response.content)
    plain = CRYPTO.decrypt_message(response.text, fields["MsgSignature"], fields["TimeStamp"], fields["Nonce"])
    return parse_xml(plain.encode())


def test_signed_text_gets_an_xml_answer_citing_the_article(stack):
    fields = _content(_post(stack, "租房可以落户吗", msg_id=str(uuid.uuid4().int)[:16]))
    assert fields["ToUserName"] == "o-e2e" and "第（三）条" in fields["Content"]


def test_bad_signature_is_refused(stack):
    assert _post(stack, "租房可以落户吗", msg_id="1", good_signature=False).status_code == 403


def test_a_forged_plain_mode_post_and_a_replayed_nonce_are_refused(stack):
    """Issue 17, finding 3, against make run with an EncodingAESKey set."""
    ts, nonce = str(int(time.time())), uuid.uuid4().hex[:10]
    url_only = {"timestamp": ts, "nonce": nonce, "signature": signature(TOKEN, ts, nonce)}
    forged = _send(stack, url_only, _push("/restart", str(uuid.uuid4().int)[:16], openid="o-e2e-forged").encode())
    assert forged.status_code == 403
    params, body = _signed_request("居住证有什么用", str(uuid.uuid4().int)[:16], openid="o-e2e-replay")
    assert "第（八）条" in _content(_send(stack, params, body))["Content"]
    replayed = _send(stack, params, body)
    assert replayed.status_code == 403
    for sender, turns in (("o-e2e-forged", 0), ("o-e2e-replay", 1)):
        assert _user_turns(stack, sender) == turns


def _user_turns(stack, sender):
    tracker_db = Path(stack.log.name).parent / "tracker.db"
    with sqlite3.connect(tracker_db) as db:
        (turns,) = db.execute(
            "SELECT count(*) FROM events WHERE sender_id=? AND type_name='user'", (sender,)
        ).fetchone()
    return turns


def test_a_retry_gets_one_answer(stack):
    msg_id = str(uuid.uuid4().int)[:16]
    first = _post(stack, "居住证有什么用", msg_id)
    retry = _post(stack, "居住证有什么用", msg_id)
    assert "第（八）条" in _content(first)["Content"]
    # the retry shares the first attempt's answer instead of starting a second turn
    # (the same content; CreateTime may differ by a second when the two replies straddle one)
    assert retry.status_code == 200
    assert retry.content == b"success" or _content(retry)["Content"] == _content(first)["Content"]
    tracker_db = Path(stack.log.name).parent / "tracker.db"
    with sqlite3.connect(tracker_db) as db:
        (turns,) = db.execute("SELECT count(*) FROM events WHERE sender_id='o-e2e' AND type_name='user'").fetchone()
    assert turns == 2  # 租房 … and 居住证 …, once each


# ── Another resident's id ────────────────────────────────────────────────────────────────────────
# A WeChat resident and a web-chat resident are mid-conversation; then requests name their ids in
# every way a client can (REST sender, socket session request, a message's own session id) among
# fuzzed bodies. Each is answered politely or refused with a 4xx, and both stored conversations
# are exactly as they were.
VICTIM_OPENID = "oE2eVictimAbcdefghijklmnopqr"  # 28 characters, as real openids


async def _web_resident(stack, requested=None, message=None, claimed=None):
    """A web chat socket: the conversation id it was given, after sending ``message`` if any."""
    import asyncio

    client, session_id, replies = await web_chat_session(stack.rasa_port, requested)
    try:
        if message:
            await client.emit("user_uttered", {"message": message, "session_id": claimed or session_id})
            await asyncio.wait_for(replies.get(), 60)
        return session_id
    finally:
        await hang_up(client)


def _events(stack, sender):
    return stack.tracker(sender)["events"]


def test_naming_another_residents_id_alters_nothing_stored(stack):
    import asyncio

    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    answer = _post(stack, "租房可以落户吗", uuid.uuid4().int % 10**16, openid=VICTIM_OPENID)
    assert "第（三）条" in _content(answer)["Content"]
    web_id = asyncio.run(_web_resident(stack, message="查进度"))
    before = {sender: _events(stack, sender) for sender in (VICTIM_OPENID, web_id)}
    assert all(len(events) > 3 for events in before.values())
    victims = st.sampled_from([VICTIM_OPENID, web_id, web_id.split(".")[0]])
    texts = st.sampled_from(["/restart", '/check_status{"id_tail": "121017"}', "SG2026110001", "", "算了", "\u202e"])

    @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
    @given(sender=victims, text=texts | st.text(max_size=40))
    def rest_as_victim(sender, text):
        response = stack.post({"sender": sender, "message": text})
        if sender == web_id.split(".")[0]:  # a bare nonce is nobody's id: a conversation of its own
            assert response.status_code == 200 and response.json()
        else:
            assert response.status_code == 403 and "会话编号" in response.json()["error"]

    rest_as_victim()
    forged = web_id[:-1] + ("1" if web_id.endswith("0") else "0")  # its signature, one digit off
    for requested in (VICTIM_OPENID, web_id.split(".")[0], forged):
        intruder = asyncio.run(_web_resident(stack, requested, message="/restart", claimed=web_id))
        assert intruder not in (VICTIM_OPENID, web_id)
    assert {sender: _events(stack, sender) for sender in before} == before
    # the web resident's page, reloaded, still reaches its own conversation
    assert asyncio.run(_web_resident(stack, requested=web_id)) == web_id
