"""The WeChat wire protocol against WeChat's own samples, and what it refuses."""

import json
from pathlib import Path

import pytest
from wechatpy.crypto import WeChatCrypto

from bot.channels.inbound import BadRequest
from bot.channels.wechat_protocol import (
    MAX_BODY_BYTES,
    REPLAY_WINDOW_SECONDS,
    TTLCache,
    WeChatMessage,
    check_fresh,
    encrypt_reply,
    open_request,
    parse_xml,
    reply_xml,
    signature,
    verify_signature,
    verify_url,
)

SAMPLES_PATH = Path(__file__).resolve().parents[3] / "shared" / "wechat" / "samples.json"


@pytest.fixture(scope="module")
def samples():
    if not SAMPLES_PATH.exists():
        pytest.skip(f"WeChat protocol samples not found at {SAMPLES_PATH} (shared/wechat/samples.json)")
    return json.loads(SAMPLES_PATH.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def safe(samples):
    return samples["safe_mode"]


@pytest.fixture(scope="module")
def crypto(safe):
    return WeChatCrypto(safe["token"], safe["encoding_aes_key"], safe["app_id"])


def refused(call, status):
    with pytest.raises(BadRequest) as error:
        call()
    assert error.value.status == status, str(error.value)
    return error.value


def signed(token, timestamp, nonce="n1", **extra):
    return {"timestamp": str(timestamp), "nonce": nonce, "signature": signature(token, str(timestamp), nonce), **extra}


# --- signatures ---------------------------------------------------------------------------------


def test_plain_signature_matches_the_sample(samples):
    sample = samples["plain_signature"]
    assert signature(sample["token"], sample["timestamp"], sample["nonce"]) == sample["signature"]
    verify_signature(sample["token"], sample["signature"], sample["timestamp"], sample["nonce"])


@pytest.mark.parametrize(
    "given", [None, "", "f21891de399b4e33a1a93c9a7b8a8fffb5a443fe", "签名", "F21891DE399B4E33A1A93C9A7B8A8FFFB5A443FF"]
)
def test_wrong_or_missing_signature_is_403(samples, given):
    sample = samples["plain_signature"]
    refused(lambda: verify_signature(sample["token"], given, sample["timestamp"], sample["nonce"]), 403)


def test_url_verification_echoes_only_with_a_valid_signature(samples):
    sample = samples["plain_signature"]
    params = {key: sample[key] for key in ("timestamp", "nonce", "signature")}
    now = int(sample["timestamp"])
    assert verify_url({**params, "echostr": "abc123"}, sample["token"], now) == "abc123"
    refused(lambda: verify_url({**params, "echostr": "abc123"}, "other-token", now), 403)
    refused(lambda: verify_url({"timestamp": sample["timestamp"], "echostr": "x"}, sample["token"], now), 403)
    refused(lambda: verify_url({**params, "echostr": "abc123"}, "", now), 503)


def test_safe_mode_url_signature_sample(safe):
    params = {
        "timestamp": safe["timestamp"],
        "nonce": safe["nonce"],
        "signature": safe["url_signature"],
        "echostr": "e",
    }
    assert verify_url(params, safe["token"], int(safe["timestamp"])) == "e"


# --- replay window ------------------------------------------------------------------------------


@pytest.mark.parametrize("offset", [-REPLAY_WINDOW_SECONDS, 0, REPLAY_WINDOW_SECONDS])
def test_timestamps_inside_the_window_pass(offset):
    assert check_fresh(str(1_700_000_000 + offset), 1_700_000_000) == str(1_700_000_000 + offset)


@pytest.mark.parametrize(
    "timestamp",
    [
        str(1_700_000_000 - REPLAY_WINDOW_SECONDS - 1),
        str(1_700_000_000 + REPLAY_WINDOW_SECONDS + 1),
        "",
        None,
        "12a",
        "1e9",
    ],
)
def test_stale_future_or_garbled_timestamps_are_403(timestamp):
    refused(lambda: check_fresh(timestamp, 1_700_000_000), 403)


def test_a_validly_signed_but_old_request_is_a_replay(samples):
    sample = samples["plain_messages"]["text"].encode()
    params = signed("tok", 1_700_000_000)
    assert open_request(params, sample, "tok", None, 1_700_000_000 + 60).message.content == "this is a test"
    refused(lambda: open_request(params, sample, "tok", None, 1_700_000_000 + REPLAY_WINDOW_SECONDS + 1), 403)


# --- safe mode ----------------------------------------------------------------------------------


def safe_params(safe, **changes):
    params = {
        "timestamp": safe["timestamp"],
        "nonce": safe["nonce"],
        "encrypt_type": "aes",
        "msg_signature": safe["msg_signature"],
        "signature": safe["url_signature"],
    }
    return {key: value for key, value in {**params, **changes}.items() if value is not None}


def test_safe_mode_sample_decrypts_to_the_documented_message(safe, crypto):
    envelope = open_request(safe_params(safe), safe["body"].encode(), safe["token"], crypto, int(safe["timestamp"]))
    expected = safe["decrypts_to"]
    message = envelope.message
    assert envelope.encrypted and envelope.nonce == safe["nonce"]
    assert (
        message.to_user,
        message.from_user,
        str(message.create_time),
        message.msg_type,
        message.content,
        message.msg_id,
    ) == (
        expected["ToUserName"],
        expected["FromUserName"],
        expected["CreateTime"],
        expected["MsgType"],
        expected["Content"],
        expected["MsgId"],
    )
    assert message.content == "abcdteT"


def test_safe_mode_needs_only_the_message_signature(safe, crypto):
    envelope = open_request(
        safe_params(safe, signature=None), safe["body"].encode(), safe["token"], crypto, int(safe["timestamp"])
    )
    assert envelope.message.content == "abcdteT"


@pytest.mark.parametrize(
    "changes", [{"msg_signature": None}, {"msg_signature": "0" * 40}, {"signature": "0" * 40}, {"nonce": "1320562133"}]
)
def test_safe_mode_with_a_bad_signature_is_403(safe, crypto, changes):
    params = safe_params(safe, **changes)
    refused(lambda: open_request(params, safe["body"].encode(), safe["token"], crypto, int(safe["timestamp"])), 403)


def test_tampered_ciphertext_fails_the_message_signature(safe, crypto):
    body = safe["body"].replace("hyzAe4Oz", "hyzAe4OZ").encode()
    refused(lambda: open_request(safe_params(safe), body, safe["token"], crypto, int(safe["timestamp"])), 403)


def test_with_an_aes_key_plain_mode_is_refused_even_when_signed(samples, safe, crypto):
    """Issue 17, finding 3: the URL signature does not cover the body, so with a key set only
    safe-mode requests (encrypt_type=aes with a valid msg_signature) count."""
    body = samples["plain_messages"]["text"].encode()
    now = int(safe["timestamp"])
    plain = signed(safe["token"], now, safe["nonce"])
    assert open_request(plain, body, safe["token"], None, now).message.content == "this is a test"  # no key: plain
    refused(lambda: open_request(plain, body, safe["token"], crypto, now), 403)
    refused(lambda: open_request({**plain, "encrypt_type": "raw"}, body, safe["token"], crypto, now), 403)
    envelope = open_request(safe_params(safe), safe["body"].encode(), safe["token"], crypto, now)
    assert envelope.replay_key == f"nonce:{safe['timestamp']}:{safe['nonce']}"


def test_ciphertext_for_another_app_is_refused(safe):
    other = WeChatCrypto(safe["token"], safe["encoding_aes_key"], "wx0000000000000000")
    error = refused(
        lambda: open_request(safe_params(safe), safe["body"].encode(), safe["token"], other, int(safe["timestamp"])),
        400,
    )
    assert "解密" in str(error)


def test_encrypted_reply_round_trips_through_wechatpy(safe, crypto):
    message = WeChatMessage("gh_1", "openid_1", 1, "text", "1")
    xml = reply_xml(message, "租房可以落户。", 1_700_000_000)
    encrypted = encrypt_reply(crypto, xml, "nonce9", 1_700_000_000)
    fields = parse_xml(encrypted.encode())
    assert fields["MsgSignature"] == signature(safe["token"], "1700000000", "nonce9", fields["Encrypt"])
    decrypted = crypto.decrypt_message(encrypted, fields["MsgSignature"], "1700000000", "nonce9")
    assert parse_xml(decrypted.encode())["Content"] == "租房可以落户。"


# --- parsing ------------------------------------------------------------------------------------


def test_sample_messages_parse(samples):
    plain = samples["plain_messages"]
    text = open_request(signed("t", 1348831860), plain["text"].encode(), "t", None, 1348831860).message
    assert (text.msg_type, text.content, text.from_user, text.msg_id) == (
        "text",
        "this is a test",
        "fromUser",
        "1234567890123456",
    )
    voice = open_request(
        signed("t", 1357290913), plain["voice_with_recognition"].encode(), "t", None, 1357290913
    ).message
    assert (voice.msg_type, voice.recognition) == ("voice", "腾讯微信团队")
    event = open_request(signed("t", 123456789), plain["subscribe_event"].encode(), "t", None, 123456789).message
    assert (event.msg_type, event.event, event.msg_id) == ("event", "subscribe", None)


def test_retries_share_a_key_by_sender_and_msgid_and_events_by_sender_and_time():
    text = WeChatMessage("gh", "u1", 5, "text", msg_id="42")
    assert text.dedup_key == WeChatMessage("gh", "u1", 9, "text", msg_id="42").dedup_key
    assert text.dedup_key != WeChatMessage("gh", "u2", 5, "text", msg_id="42").dedup_key  # issue 17, finding 3
    subscribe = WeChatMessage("gh", "u1", 5, "event", event="subscribe")
    assert subscribe.dedup_key == WeChatMessage("gh", "u1", 5, "event", event="subscribe").dedup_key
    assert subscribe.dedup_key != WeChatMessage("gh", "u2", 5, "event", event="subscribe").dedup_key


XXE_PAYLOADS = [
    b'<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    b"<xml><ToUserName>a</ToUserName><FromUserName>b</FromUserName><CreateTime>1</CreateTime>"
    b"<MsgType>text</MsgType><Content>&xxe;</Content></xml>",
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;">'
    b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;"><!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;">]>'
    b"<xml><Content>&lol4;</Content></xml>",
    b'<!DOCTYPE xml [<!ENTITY % remote SYSTEM "http://127.0.0.1:1/evil.dtd"> %remote;]><xml/>',
    b'<!DOCTYPE xml SYSTEM "http://127.0.0.1:1/evil.dtd"><xml/>',
]


@pytest.mark.parametrize(
    "payload", XXE_PAYLOADS, ids=["xxe-file", "billion-laughs", "parameter-entity", "external-dtd"]
)
def test_entity_expansion_and_xxe_are_refused(payload):
    refused(lambda: parse_xml(payload), 400)
    refused(lambda: open_request(signed("t", 1), payload, "t", None, 1), 400)


def test_xxe_inside_an_encrypted_message_is_refused_too(safe, crypto):
    encrypted = crypto.encrypt_message(XXE_PAYLOADS[0].decode(), "n", "1700000000")
    fields = parse_xml(encrypted.encode())
    body = f"<xml><ToUserName><![CDATA[gh]]></ToUserName><Encrypt><![CDATA[{fields['Encrypt']}]]></Encrypt></xml>"
    params = {"timestamp": "1700000000", "nonce": "n", "encrypt_type": "aes", "msg_signature": fields["MsgSignature"]}
    refused(lambda: open_request(params, body.encode(), safe["token"], crypto, 1_700_000_000), 400)


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"   ",
        b"not xml",
        b"<xml><ToUserName>a</xml>",
        b"\xff\xfe<xml/>",
        b"<root><MsgType>text</MsgType></root>",
        b"<xml><ToUserName>a</ToUserName><CreateTime>1</CreateTime><MsgType>text</MsgType></xml>",
        b"<xml><ToUserName>a</ToUserName><FromUserName>b</FromUserName><CreateTime>soon</CreateTime>"
        b"<MsgType>text</MsgType></xml>",
        b"<xml><ToUserName>a</ToUserName><FromUserName>" + b"b" * 200 + b"</FromUserName><CreateTime>1</CreateTime>"
        b"<MsgType>text</MsgType></xml>",
    ],
)
def test_malformed_xml_is_400(body):
    refused(lambda: open_request(signed("t", 1), body, "t", None, 1), 400)


def test_safe_mode_without_encrypt_field_is_400(safe, crypto):
    body = b"<xml><ToUserName>gh</ToUserName></xml>"
    refused(lambda: open_request(safe_params(safe), body, safe["token"], crypto, int(safe["timestamp"])), 400)


def test_oversized_body_is_413():
    body = b"<xml><Content>" + b"a" * MAX_BODY_BYTES + b"</Content></xml>"
    refused(lambda: open_request(signed("t", 1), body, "t", None, 1), 413)


def test_body_is_not_even_parsed_without_a_valid_signature():
    refused(lambda: open_request({"timestamp": "1", "nonce": "n"}, b"not xml", "t", None, 1), 403)


# --- replies ------------------------------------------------------------------------------------


def test_reply_matches_the_documented_passive_reply(samples):
    expected = parse_xml(samples["plain_messages"]["passive_text_reply"].encode())
    message = WeChatMessage(to_user="fromUser", from_user="toUser", create_time=1, msg_type="text")
    assert parse_xml(reply_xml(message, "你好", 12345678).encode()) == expected


@pytest.mark.parametrize(
    "content", ["a]]>b", "]]>", "x]]]]>y", "]]><MsgType><![CDATA[news]]></MsgType>", "<b>&amp;</b>"]
)
def test_cdata_terminator_cannot_break_or_inject_into_the_reply(content):
    message = WeChatMessage("gh_1", "openid]]>x", 1, "text")
    fields = parse_xml(reply_xml(message, content, 1).encode())
    assert fields["Content"] == content
    assert fields["MsgType"] == "text"
    assert fields["ToUserName"] == "openid]]>x"


def test_characters_xml_cannot_carry_are_dropped_from_replies():
    fields = parse_xml(reply_xml(WeChatMessage("gh", "u", 1, "text"), "租房\x00落户\x0b吗\n", 1).encode())
    assert fields["Content"] == "租房落户吗\n"


# --- bounded cache ------------------------------------------------------------------------------


def test_cache_entries_expire_and_never_exceed_the_bound():
    now = [0.0]
    cache = TTLCache(max_entries=3, ttl=10, clock=lambda: now[0])
    for key in "abcd":
        cache.put(key, key.upper())
    assert len(cache) == 3 and cache.get("a") is None and cache.get("d") == "D"
    now[0] = 10.0
    assert cache.get("d") is None and len(cache) == 0
