"""ID numbers and names: validation, keyed hashing and masking.

PIPL treats ID numbers as sensitive personal information, so the store keeps only what
verification needs: an HMAC of the application number with the last six characters of the ID,
and the applicant's name masked (张*). Nothing here logs its input. Redaction of free text, and the
shapes of ID and mobile numbers, are the bottom layer's (platform_core.redaction).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re

from platform_core.redaction import ID_NUMBER_SHAPE, LEGACY_ID_LENGTH, TAIL_SHAPE, fold_width

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"
_SPACES = re.compile(r"\s+")


class IdNumberError(ValueError):
    """An ID number that cannot be accepted; the message is Chinese and never repeats the number."""


def check_digit(first17: str) -> str:
    """GB 11643-1999 check character for the first 17 digits of an ID number."""
    total = sum(int(digit) * weight for digit, weight in zip(first17, _WEIGHTS, strict=True))
    return _CHECK_CHARS[total % 11]


def normalise_id_number(raw: str) -> str:
    """Return an 18-character ID in canonical form (half-width, upper-case X, no spaces).

    Raises :class:`IdNumberError` for a legacy 15-digit number, a wrong shape, an impossible
    birth date or a wrong check character.
    """
    text = _SPACES.sub("", fold_width(raw)).upper()
    if len(text) == LEGACY_ID_LENGTH and text.isdigit():
        raise IdNumberError("15 位旧版身份证号码不再受理，请使用 18 位居民身份证号码")
    if not ID_NUMBER_SHAPE.fullmatch(text):
        raise IdNumberError("身份证号码格式不正确（应为 18 位，前 17 位为数字，末位为数字或 X）")
    if not _valid_birth_date(text[6:14]):
        raise IdNumberError("身份证号码中的出生日期无效")
    if check_digit(text[:17]) != text[17]:
        raise IdNumberError("身份证号码校验位不正确，请核对")
    return text


def _valid_birth_date(yyyymmdd: str) -> bool:
    try:
        born = dt.date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:]))
    except ValueError:
        return False
    return dt.date(1900, 1, 1) <= born <= dt.date.today()


def normalise_id_tail(raw: str) -> str | None:
    """The last six characters of an ID as typed by a resident, canonical, or None if malformed."""
    text = re.sub(r"[\s\-]+", "", fold_width(raw)).upper()
    return text if TAIL_SHAPE.fullmatch(text) else None


_TOKEN = re.compile(r"[0-9a-f]{32}")


# The message-metadata keys under which a channel hands the actions the keyed stand-ins below: the
# ID tail's token (tail_token) and the client address's (client_token). The channels (bot.channels.
# guard) write them, the status actions read them; neither imports the other, both import these.
ID_TAIL_TOKEN, CLIENT = "id_tail_token", "client"


def tail_token(secret: bytes, id_tail: str, application_no: str) -> str:
    """Keyed stand-in for an ID tail given for one (canonical) application number. Channels swap the
    typed digits for it before Rasa stores anything, so the tracker never holds ID digits and the
    action can still verify.

    Keyed by the number as well as the secret: one table of the million possible tails no longer
    turns the tokens in a conversation store back into tails, and one tail gives different tokens
    for different applications. Built as the tail's own digest masked with a digest of the number
    (XOR, so :func:`credential_hmac` can take the mask off again): the stored hashes are computed
    from the tail's digest exactly as before, so data imported earlier stays readable.
    """
    return _masked(secret, application_no, _tail_digest(secret, id_tail))


def _tail_digest(secret: bytes, id_tail: str) -> str:
    return hmac.new(secret, f"tail:{id_tail}".encode(), hashlib.sha256).hexdigest()[:32]


def _masked(secret: bytes, application_no: str, digest: str) -> str:
    """``digest`` XOR the number's mask: masks a tail digest, and takes the mask off a token."""
    mask = hmac.new(secret, f"tail-mask:{application_no}".encode(), hashlib.sha256).digest()[:16]
    return bytes(a ^ b for a, b in zip(bytes.fromhex(digest), mask, strict=False)).hex()


def client_token(secret: bytes, address: str) -> str:
    """Keyed stand-in for a client's network address: what the conversation store keeps, and what
    the status lookup counts failures by, instead of the address itself."""
    return hmac.new(secret, f"client:{address}".encode(), hashlib.sha256).hexdigest()[:32]


def is_tail_token(value: str) -> bool:
    return bool(_TOKEN.fullmatch(value or ""))


def credential_hmac(secret: bytes, application_no: str, id_tail: str) -> str:
    """Keyed hash of what a lookup must prove: the application number plus the ID's last six
    (given as the digits or as their :func:`tail_token` for this number).

    The separator keeps ("AB1", "23456X") and ("AB12", "3456X") from hashing alike.
    """
    if is_tail_token(id_tail):
        digest = _masked(secret, application_no, id_tail)
    else:
        digest = _tail_digest(secret, id_tail)
    message = f"credential:{application_no}:{digest}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def conversation_hmac(secret: bytes, conversation_id: str) -> str:
    """Keyed hash of a conversation id, so throttle rows do not reveal who was chatting."""
    return hmac.new(secret, f"conversation:{conversation_id}".encode(), hashlib.sha256).hexdigest()


def mask_name(name: str) -> str:
    """Keep the first character and mask the rest: 张三 → 张*, 欧阳娜娜 → 欧***.

    A list of compound surnames would reveal more of the name for little benefit.
    """
    name = _SPACES.sub("", name)
    if len(name) <= 1:
        return "*" * len(name)
    return name[0] + "*" * (len(name) - 1)
