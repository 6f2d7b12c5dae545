"""Reading the application number and the ID tail from whatever a resident typed."""

import random

import pytest

from platform_core.redaction import redact
from status_store.credentials import extract_credentials, normalise_application_no

NO = "SG2026110001"


@pytest.mark.parametrize(
    "typed",
    [
        NO,
        "sg2026110001",
        "SG-2026-110001",
        "SG 2026 110001",
        "ＳＧ２０２６１１０００１",
        "sg_2026－110001",
        " SG2026110001 ",
    ],
)
def test_normalise_application_no(typed):
    assert normalise_application_no(typed) == NO


@pytest.mark.parametrize(
    "text, expected",
    [
        (NO, (NO, None)),
        ("123456", (None, "123456")),
        ("12345x", (None, "12345X")),
        ("１２３４５Ｘ", (None, "12345X")),
        ("123 456", (None, "123456")),
        (f"{NO} 123456", (NO, "123456")),
        (f"123456 {NO}", (NO, "123456")),
        (f"12345x，{NO.lower()}", (NO, "12345X")),
        ("受理编号sg-2026-110001，身份证后六位１２３４５６", (NO, "123456")),
        ("后六位是 123 45X 编号 SG 2026 110001", (NO, "12345X")),
        ("SG 2026 110001 123456", (NO, "123456")),
        ("SG2026110001 123 456", (NO, "123456")),
        ("ＳＧ２０２６１１０００１　１２３４５６", (NO, "123456")),
        ("我2026-10-08交的，编号SG2026110001", (NO, None)),
        ("身份证440299199001011023，编号SG2026110003", ("SG2026110003", "011023")),
        ("我的申请办到哪一步了", (None, None)),
        ("身份证后6位", (None, None)),
        ("OK", (None, None)),
        ("2026110001", ("2026110001", None)),
        ("2026110001 654321", ("2026110001", "654321")),
        ("SG2026110003 440299199001011023", ("SG2026110003", "011023")),
        ("440299 19900101 1023 SG2026110003", ("SG2026110003", "011023")),
        ("SG2026110003 440299 19900101 1023", ("SG2026110003", "011023")),
        ("SG2026110001 138 1234 5678 123456", ("SG2026110001", "123456")),
        ("SG2026110001 440299900101123", ("SG2026110001", None)),
        ("301037 SG 2026 110004", ("SG2026110004", "301037")),  # not 301037SG2026 + 110004
        ("12 10 17 SG2026110001", (NO, "121017")),
    ],
)
def test_extract_credentials(text, expected):
    assert extract_credentials(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "440299900101123",
        "13812345678",
        "440299199001011023",
        "SG440299199001011023",
        "sg 13812345678",
        "8613812345678",  # with the country code: redact() hides it, and so it is no application number
    ],
)
def test_id_and_phone_numbers_are_never_taken_for_an_application_number(text):
    assert extract_credentials(text)[0] is None


def test_no_combination_of_pieces_puts_id_or_phone_digits_into_the_application_number():
    pieces = [
        "SG2026110001",
        "sg-2026-110001",
        "SG 2026 110001",
        "12345X",
        "123 456",
        "440299199001011023",
        "440299 19900101 1023",
        "4402 9919 9001 0110 23",
        "440299900101123",
        "13812345678",
        "138 1234 5678",
        "身份证",
        "，",
        " ",
        "编号",
    ]
    rng = random.Random(11643)
    for _ in range(3000):
        message = " ".join(rng.choice(pieces) for _ in range(rng.randint(1, 5)))
        number, _ = extract_credentials(message)
        assert number is None or (redact(number) == number and "1990010" not in number), message
