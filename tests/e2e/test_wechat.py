"""The WeChat channel inside the real running assistant (bot.serve, trained model, action server)."""

import sqlite3
import time
import uuid
from pathlib import Path

import pytest
import requests

from bot.channels.wechat_protocol import parse_xml, signature
from tests.stack import running_stack

TOKEN = "e2e-wechat-token"


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    with running_stack(tmp_path_factory.mktemp("wechat"), env={"WECHAT_TOKEN": TOKEN}) as running:
        yield running


def _post(stack, content, msg_id, good_signature=True):
    ts, nonce = str(int(time.time())), uuid.uuid4().hex[:10]
    sig = signature(TOKEN, ts, nonce) if good_signature else "0" * 40
    body = (
        f"<xml><ToUserName><![CDATA[gh_e2e]]></ToUserName><FromUserName><![CDATA[o-e2e]]></FromUserName>"
        f"<CreateTime>{ts}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
        f"<Content><![CDATA[{content}]]></Content><MsgId>{msg_id}</MsgId></xml>"
    ).encode()
    url = f"http://localhost:{stack.rasa_port}/webhooks/wechat/webhook"
    return requests.post(url, params={"timestamp": ts, "nonce": nonce, "signature": sig}, data=body, timeout=30)


def test_signed_text_gets_an_xml_answer_citing_the_article(stack):
    response = _post(stack, "租房可以落户吗", msg_id=str(uuid.uuid4().int)[:16])
    assert response.status_code == 200
    fields = parse_xml(response.content)
    assert fields["ToUserName"] == "o-e2e" and "第（三）条" in fields["Content"]


def test_bad_signature_is_refused(stack):
    assert _post(stack, "租房可以落户吗", msg_id="1", good_signature=False).status_code == 403


def test_a_retry_gets_one_answer(stack):
    msg_id = str(uuid.uuid4().int)[:16]
    first = _post(stack, "居住证有什么用", msg_id)
    retry = _post(stack, "居住证有什么用", msg_id)
    assert "第（八）条" in parse_xml(first.content)["Content"]
    # the retry shares the first attempt's answer instead of starting a second turn
    # (the same content; CreateTime may differ by a second when the two replies straddle one)
    assert retry.status_code == 200
    assert retry.content == b"success" or parse_xml(retry.content)["Content"] == parse_xml(first.content)["Content"]
    tracker_db = Path(stack.log.name).parent / "tracker.db"
    with sqlite3.connect(tracker_db) as db:
        (turns,) = db.execute("SELECT count(*) FROM events WHERE sender_id='o-e2e' AND type_name='user'").fetchone()
    assert turns == 2  # 租房 … and 居住证 …, once each
