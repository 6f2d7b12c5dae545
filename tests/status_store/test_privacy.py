"""ID validation, masking and redaction: pure functions, table-driven."""

import pytest

from platform_core.redaction import PLACEHOLDER, redact
from status_store.privacy import (
    IdNumberError,
    check_digit,
    credential_hmac,
    mask_name,
    normalise_id_number,
    normalise_id_tail,
)
from tests.status_store.helpers import make_id, wrong_check

# Worked by hand from the GB 11643 weights (sums 283 and 343, mod 11 → 8 and 2).
HAND_CHECKED = [("44029919900101123", "4"), ("44029919930415104", "X")]


@pytest.mark.parametrize("first17, expected", HAND_CHECKED)
def test_check_digit_matches_hand_computation(first17, expected):
    assert check_digit(first17) == expected


def test_a_generated_id_is_accepted_in_every_typed_form():
    id_number = "44029919930415104X"
    for typed in (id_number, id_number.lower(), "440299 19930415 104x", "４４０２９９１９９３０４１５１０４Ｘ"):
        assert normalise_id_number(typed) == id_number


@pytest.mark.parametrize(
    "raw, message",
    [
        (wrong_check(make_id()), "校验位不正确"),
        ("440299900101123", "15 位旧版身份证号码不再受理"),
        ("4402991990010112", "格式不正确"),
        ("44029919900101123Y", "格式不正确"),
        ("440299199002301234", "出生日期无效"),
    ],
)
def test_bad_id_numbers_are_refused_without_repeating_them(raw, message):
    with pytest.raises(IdNumberError, match=message) as error:
        normalise_id_number(raw)
    assert raw[:10] not in str(error.value)


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("123456", "123456"),
        ("12345x", "12345X"),
        ("１２３４５６", "123456"),
        ("123 456", "123456"),
        ("12-34-5X", "12345X"),
        ("12345", None),
        ("1234567", None),
        ("1234X6", None),
        ("", None),
    ],
)
def test_id_tail_forms(typed, expected):
    assert normalise_id_tail(typed) == expected


@pytest.mark.parametrize(
    "name, masked",
    [("张三", "张*"), ("王小明", "王**"), ("欧阳娜娜", "欧***"), (" 李 四 ", "李*"), ("王", "*"), ("", "")],
)
def test_mask_name(name, masked):
    assert mask_name(name) == masked


def test_credential_hmac_depends_on_secret_number_and_tail():
    base = credential_hmac(b"k", "SG2026110001", "123456")
    assert base != credential_hmac(b"other", "SG2026110001", "123456")
    assert base != credential_hmac(b"k", "SG2026110002", "123456")
    assert base != credential_hmac(b"k", "SG2026110001", "123457")
    assert credential_hmac(b"k", "AB1", "23456X") != credential_hmac(b"k", "AB12", "3456X")
    assert len(base) == 64


ID = make_id(seq=104)


@pytest.mark.parametrize(
    "text",
    [
        f"我的身份证号是{ID}",
        f"身份证 {ID[:6]} {ID[6:14]} {ID[14:]}",
        f"号码 {ID[:4]}-{ID[4:8]}-{ID[8:12]}-{ID[12:]}",
        "身份证４４０２９９１９９３０４１５１０４Ｘ谢谢",
        "旧身份证440299900101123",
        "电话13812345678",
        "电话 138 1234 5678",
        "电话+86 138-1234-5678",
        "银行卡 6222021234567890123",
    ],
)
def test_redact_hides_ids_phones_and_long_runs(text):
    redacted = redact(text)
    assert PLACEHOLDER in redacted
    digits = "".join(c for c in redacted if c.isdigit())
    assert len(digits) < 6, redacted


@pytest.mark.parametrize(
    "text",
    ["受理编号SG2026110001", "邮编512000", "拨打12345热线", "2026-10-08 提交", "第（三）条", "办理时限 20 个工作日"],
)
def test_redact_keeps_ordinary_numbers(text):
    assert redact(text) == text


@pytest.mark.parametrize(
    "text, expected",
    [
        ("后六位 12345X", f"后六位 {PLACEHOLDER}"),
        ("后六位１２３４５６", f"后六位{PLACEHOLDER}"),
        ("后六位 123 456", f"后六位 {PLACEHOLDER}"),
        ("SG2026110001 后六位 123456", f"SG2026110001 后六位 {PLACEHOLDER}"),
        ("编号SG123456", "编号SG123456"),
    ],
)
def test_redact_id_tail_mode_also_hides_six_character_tails(text, expected):
    assert redact(text, id_tail=True) == expected
    assert redact("邮编512000") == "邮编512000"
