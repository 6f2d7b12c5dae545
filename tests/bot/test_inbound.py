"""What the REST channel accepts, refuses and cleans, before Rasa sees anything."""

import json

import pytest

from bot.channels.inbound import MAX_BODY_BYTES, BadRequest, parse_rest_body
from policy_kb.text import MAX_MESSAGE_CHARS


def body(**payload):
    return json.dumps(payload, ensure_ascii=False).encode("utf-8")


@pytest.mark.parametrize(
    "raw, fragment",
    [
        (b"{not json", "JSON"),
        (b"\xff\xfe", "UTF-8"),
        (b'["a list"]', "JSON 对象"),
        (b'{"message": "hi"}', "缺少 sender"),
        (b'{"sender": true, "message": "hi"}', "sender 必须是"),
        (b'{"sender": "", "message": "hi"}', "sender 不能为空"),
        (b'{"sender": "u1", "message": 12}', "message 字段必须是文字"),
    ],
)
def test_malformed_requests_get_a_clear_400(raw, fragment):
    with pytest.raises(BadRequest) as error:
        parse_rest_body(raw)
    assert error.value.status == 400 and fragment in str(error.value)


def test_oversized_body_is_refused_with_413():
    with pytest.raises(BadRequest) as error:
        parse_rest_body(b" " * (MAX_BODY_BYTES + 1))
    assert error.value.status == 413


def test_long_message_is_shortened_and_flagged():
    inbound = parse_rest_body(body(sender="u1", message="租房落户" * 5000))
    assert len(inbound.text) == MAX_MESSAGE_CHARS and inbound.truncated


def test_control_characters_are_removed_and_empty_is_recognised():
    assert parse_rest_body(body(sender="u1", message="\x00\x07  \u200b")).empty
    assert parse_rest_body(body(sender=42, message="租房\x00落户")).text == "租房 落户"


def test_emoji_only_is_not_meaningful():
    inbound = parse_rest_body(body(sender="u1", message="😀🙏🏻"))
    assert not inbound.empty and not inbound.meaningful


def test_missing_message_counts_as_empty():
    assert parse_rest_body(body(sender="u1")).empty
