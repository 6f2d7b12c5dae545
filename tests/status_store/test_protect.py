"""Channels swap ID digits for a keyed token before Rasa stores anything; lookups still verify."""

import pytest

from status_store import lookup, protect_message
from status_store.privacy import tail_token


def test_tail_and_full_id_are_redacted_and_tokenised():
    secret = b"s" * 32
    safe, token = protect_message("SG2026110001 12345X", secret)
    assert "12345" not in safe and "SG2026110001" in safe
    assert token == tail_token(secret, "12345X")
    safe, token = protect_message("身份证 440299199001011234 编号SG2026110001", secret)
    assert "4402991990" not in safe and token == tail_token(secret, "011234")


def test_message_without_digits_has_no_token():
    assert protect_message("我的申请办到哪一步", b"s" * 32) == ("我的申请办到哪一步", None)


def test_number_alone_is_kept_as_typed():
    safe, token = protect_message("ＳＧ２０２６１１０００１", b"s" * 32)
    assert safe == "ＳＧ２０２６１１０００１" and token is None  # nothing to hide: text untouched


def test_lookup_verifies_with_the_token_and_refuses_a_wrong_one(settings):
    from status_store.importer import import_file
    from tests.status_store.test_importer import SAMPLE

    import_file(SAMPLE, settings=settings)
    _, token = protect_message("SG2026110001 121017", settings.hmac_secret)
    view = lookup("SG2026110001", token, settings=settings)
    assert view is not None and view.masked_name == "张*"
    _, wrong = protect_message("SG2026110001 121018", settings.hmac_secret)
    assert lookup("SG2026110001", wrong, settings=settings) is None


@pytest.mark.parametrize(
    "typed, safe",
    [
        ("30 10 37", "[已隐去]"),
        ("301-037", "[已隐去]"),
        ("身份证后六位 301 037", "身份证后六位 [已隐去]"),
        ("３０　１０　３７，ＳＧ２０２６１１０００４", "[已隐去],SG2026110004"),
        ("301037 SG 2026 110004", "[已隐去] SG 2026 110004"),
        ("SG 2026 110004 30 10 37", "SG 2026 110004 [已隐去]"),
    ],
)
def test_a_tail_typed_with_spaces_or_dashes_is_hidden_as_well_as_read(typed, safe):
    secret = b"s" * 32
    assert protect_message(typed, secret) == (safe, tail_token(secret, "301037"))
