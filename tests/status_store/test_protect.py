"""Channels swap ID digits for a keyed token before Rasa stores anything; lookups still verify."""

import hashlib
import hmac

import pytest

from status_store import lookup, protect_message
from status_store.privacy import credential_hmac, tail_token


def test_tail_and_full_id_are_redacted_and_tokenised():
    secret = b"s" * 32
    safe, token = protect_message("SG2026110001 12345X", secret)
    assert "12345" not in safe and "SG2026110001" in safe
    assert token == tail_token(secret, "12345X", "SG2026110001")
    safe, token = protect_message("身份证 440299199001011234 编号SG2026110001", secret)
    assert "4402991990" not in safe and token == tail_token(secret, "011234", "SG2026110001")


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
    assert protect_message(typed, secret, "SG2026110004") == (safe, tail_token(secret, "301037", "SG2026110004"))


# ── Issue 17, finding 6: tokens keyed per application number ─────────────────────────────────────


def old_style_token(secret, tail):
    """The token as it was: a function of the tail alone."""
    return hmac.new(secret, f"tail:{tail}".encode(), hashlib.sha256).hexdigest()[:32]


def test_one_table_of_the_million_tails_no_longer_inverts_the_tokens():
    secret = b"s" * 32
    _, token = protect_message("SG2026110001 121017", secret)
    table = {old_style_token(secret, f"{n:06d}"): f"{n:06d}" for n in range(120_000, 122_000)}
    assert old_style_token(secret, "121017") in table  # the table does cover this tail ...
    assert token not in table  # ... but the token is keyed by the application number as well


def test_one_tail_gives_different_tokens_for_different_applications():
    secret = b"s" * 32
    tokens = {protect_message(f"{number} 121017", secret)[1] for number in ("SG2026110001", "SG2026110002")}
    assert len(tokens) == 2 and None not in tokens


def test_a_tail_alone_is_keyed_by_the_conversations_number_or_hidden_without_a_token():
    secret = b"s" * 32
    assert protect_message("121017", secret, "sg-2026-110001") == (
        "[已隐去]",
        tail_token(secret, "121017", "SG2026110001"),
    )
    assert protect_message("121017", secret) == ("[已隐去]", None)  # no number yet: asked again later


def test_hashes_stored_before_the_change_still_verify(settings):
    """Data imported before keeps working: the stored hash is the one the old code wrote."""
    from status_store.db import session_scope
    from status_store.importer import import_file
    from status_store.models import Application
    from tests.status_store.test_importer import SAMPLE

    import_file(SAMPLE, settings=settings)
    secret = settings.hmac_secret
    legacy = hmac.new(
        secret, f"credential:SG2026110001:{old_style_token(secret, '121017')}".encode(), hashlib.sha256
    ).hexdigest()
    with session_scope(settings) as session:
        stored = session.query(Application).filter_by(application_no="SG2026110001").one()
        assert stored.id_hmac == legacy  # what the importer writes has not changed
    _, token = protect_message("121017", secret, "SG2026110001")
    assert credential_hmac(secret, "SG2026110001", token) == legacy
    assert lookup("SG2026110001", token, settings=settings) is not None
    assert lookup("SG2026110002", token, settings=settings) is None  # a token for one number only
