"""Rasa's answers as WeChat text: the 2047-byte limit, numbered options and "0" for the next page."""

import re

import pytest

from bot.channels.wechat_render import (
    MORE_HINT,
    Rendered,
    ReplyMemory,
    option_number,
    paginate,
    render_messages,
    split_text,
    utf8_len,
)
from policy_kb.model import WECHAT_TEXT_LIMIT_BYTES

BUTTONS = [
    {"title": "租房/买房落户", "payload": "/faq_settle_housing"},
    {"title": "投靠亲属", "payload": "/faq_relatives"},
    {"title": "转人工", "payload": "/request_human"},
]


@pytest.fixture(scope="module")
def long_answer(kb):
    """Every article of the real document in one message: several times WeChat's limit."""
    text = "\n".join(article.text for article in kb.document.articles.values())
    assert utf8_len(text) > 3 * WECHAT_TEXT_LIMIT_BYTES
    return text


def squash(text):
    return re.sub(r"\s+", "", text)


def test_a_long_chinese_answer_is_split_at_sentence_ends_within_the_limit(long_answer):
    pages = render_messages([{"text": long_answer}]).pages
    assert len(pages) >= 4
    assert all(utf8_len(page) <= WECHAT_TEXT_LIMIT_BYTES for page in pages)
    assert all(page.endswith(MORE_HINT) for page in pages[:-1]) and MORE_HINT not in pages[-1]
    bodies = [page[: -len(MORE_HINT)].rstrip() for page in pages[:-1]]
    position = 0
    for body in bodies:  # each cut falls right after a sentence end or at a line end of the original
        position = long_answer.index(body, position) + len(body)
        assert body[-1] in "。！？；!?" or long_answer[position] == "\n"
    assert squash("".join(bodies + [pages[-1]])) == squash(long_answer)  # nothing lost, nothing repeated


def test_a_sentence_longer_than_a_page_is_cut_between_characters():
    text = "落" * 2000  # 6,000 bytes, no punctuation at all
    pieces = split_text(text, 2000)
    assert all(utf8_len(piece) <= 2000 for piece in pieces) and "".join(pieces) == text


def test_a_short_answer_is_one_page_without_a_hint():
    assert paginate("可以申请。") == ["可以申请。"]
    exact = "落" * (WECHAT_TEXT_LIMIT_BYTES // 3)
    assert paginate(exact) == [exact]


def test_messages_are_joined_and_buttons_numbered_under_their_own_text():
    rendered = render_messages(
        [
            {"text": "可以申请。\n依据：第（三）条", "buttons": BUTTONS[:2]},
            {"text": "您是不是想问：", "buttons": BUTTONS[2:]},
            {"text": "或拨打12345。"},
            {"image": "x.png"},
        ]
    )
    assert rendered.pages == (
        "可以申请。\n依据：第（三）条\n请回复数字选择：\n回复1：租房/买房落户\n回复2：投靠亲属"
        "\n\n您是不是想问：\n回复3：转人工\n\n或拨打12345。",
    )
    assert rendered.payloads == ("/faq_settle_housing", "/faq_relatives", "/request_human")


def test_buttons_without_a_payload_are_not_offered():
    rendered = render_messages([{"text": "请选择", "buttons": [{"title": "坏"}, BUTTONS[1]]}])
    assert rendered.payloads == ("/faq_relatives",) and "回复1：投靠亲属" in rendered.pages[0]


@pytest.mark.parametrize(
    "text, number",
    [
        ("1", 1),
        ("２", 2),
        (" 3 ", 3),
        ("回复2", 2),
        ("2。", 2),
        ("1.", 1),
        ("12", 12),
        ("123", None),
        ("1和2", None),
        ("租房", None),
        ("", None),
    ],
)
def test_option_numbers_are_recognised_in_the_forms_residents_type(text, number):
    assert option_number(text) == number


def test_numbered_buttons_round_trip_to_their_payloads():
    memory = ReplyMemory()
    rendered = render_messages([{"text": "您想了解哪一项？", "buttons": BUTTONS}])
    assert "回复2：投靠亲属" in memory.first_page("u1", rendered)
    assert memory.payload_for("u1", "2") == "/faq_relatives"
    assert memory.payload_for("u1", "３") == "/request_human"
    assert memory.payload_for("u1", "4") is None and memory.payload_for("u1", "0") is None
    assert memory.payload_for("u2", "1") is None  # options belong to the resident they were sent to
    memory.first_page("u1", Rendered(("好的。",)))
    assert memory.payload_for("u1", "1") is None  # a newer answer without options forgets the old ones


def test_zero_brings_the_next_page_and_options_survive_paging(long_answer):
    memory = ReplyMemory()
    rendered = render_messages([{"text": long_answer, "buttons": BUTTONS}])
    pages = [memory.first_page("u1", rendered)]
    assert memory.next_page("u1", "租房") is None
    while (page := memory.next_page("u1", "0")) is not None:
        pages.append(page)
    assert tuple(pages) == rendered.pages and "回复3：转人工" in pages[-1]
    assert memory.payload_for("u1", "1") == "/faq_settle_housing"


def test_memory_is_bounded_and_expires():
    now = [0.0]
    memory = ReplyMemory(max_residents=2, ttl=60, clock=lambda: now[0])
    for resident in ("a", "b", "c"):
        memory.first_page(resident, Rendered(("x",), ("/p",)))
    assert memory.payload_for("a", "1") is None and memory.payload_for("c", "1") == "/p"
    now[0] = 61
    assert memory.payload_for("c", "1") is None
