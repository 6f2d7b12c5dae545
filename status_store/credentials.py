"""Find the application number and the ID's last six characters in what a resident typed.

Residents copy the 受理编号 from a paper receipt and type it any way they like: lower case,
full-width, with spaces or hyphens, together with the ID tail in one message and in either order.
Whitespace is the only ambiguous separator ("SG2026110001 123456" is two things, "SG 2026 110001"
is one), so a six-character group is split off only when what remains is still a full-length
application number (at least :data:`MIN_SPLIT_APPLICATION_NO` characters).
"""

from __future__ import annotations

import re
from typing import List, Optional, Tuple

from platform_core.redaction import ID_NUMBER_SHAPE, MOBILE_SHAPE, PLACEHOLDER, fold_width, redact
from status_store.privacy import IdNumberError, normalise_id_number, normalise_id_tail, tail_token

MIN_APPLICATION_NO = 4
MAX_APPLICATION_NO = 32
MIN_SPLIT_APPLICATION_NO = 8
APPLICATION_NO_SHAPE = re.compile(f"[A-Z0-9]{{{MIN_APPLICATION_NO},{MAX_APPLICATION_NO}}}")
_DASHES = "_‐‑‒–—―－\\-"  # ASCII hyphen escaped last: this goes inside [...]
_JOINERS = re.compile(f"[\\s{_DASHES}]+")
# A segment: letters and digits with spaces or dashes between them; anything else ends it.
_SEGMENT = re.compile(f"[A-Z0-9]+(?:[ {_DASHES}]+[A-Z0-9]+)*")
_LEGACY_ID = re.compile(r"\d{15}")
_RECEIPT_SHAPE = re.compile(r"[A-Z]*\d+")
_TAIL_JOINER = f"[\\s{_DASHES}]*"
_ID_LENGTH = 18

Credentials = Tuple[Optional[str], Optional[str]]


def normalise_application_no(text: str) -> str:
    """Canonical application number: half-width, upper case, no spaces, hyphens or underscores."""
    return _JOINERS.sub("", fold_width(text)).upper()


def is_application_no(text: str) -> bool:
    """True if ``text`` is already a canonical application number (letters and digits, 4–32)."""
    return bool(APPLICATION_NO_SHAPE.fullmatch(text))


def extract_credentials(text: str) -> Credentials:
    """``(application_no, id_tail)`` found in ``text``; either may be None.

    A full 18-character ID number yields its last six characters (and is never taken for an
    application number). Numbers with a letter are preferred over digit-only ones, so a date such
    as 2026-01-05 in the same message does not win over SG2026110001.
    """
    numbers: List[str] = []
    tail: Optional[str] = None
    for segment in _SEGMENT.findall(fold_width(text).upper()):
        number, found_tail = _read_segment(segment)
        numbers += [number] if number else []
        tail = tail or found_tail
    numbers.sort(key=lambda n: not re.search("[A-Z]", n))  # stable: letters first, then text order
    return (numbers[0] if numbers else None), tail


def _read_segment(segment: str) -> Credentials:
    compact = normalise_application_no(segment)
    if ID_NUMBER_SHAPE.fullmatch(compact):
        return None, compact[-6:]
    if normalise_id_tail(compact):
        return None, compact
    chunks = segment.split()
    window = _sensitive_window(chunks)
    if window:
        return _around(chunks, *window)
    splits = [
        split
        for size in range(1, len(chunks))
        for tail_chunks, rest in ((chunks[-size:], chunks[:-size]), (chunks[:size], chunks[size:]))
        if (split := _split(tail_chunks, rest))
    ]
    if splits:
        # "301037 SG 2026 110004" also splits as 301037SG2026 + 110004: prefer the number that has
        # the receipts' shape, letters then digits (min keeps the first of equals).
        return min(splits, key=lambda split: not _RECEIPT_SHAPE.fullmatch(split[0]))
    return (compact if _plausible_number(compact) else None), None


def _sensitive_window(chunks: List[str]) -> Optional[Tuple[int, int]]:
    """The chunks that spell an ID number (looked for first), a mobile number or a legacy ID."""
    parts = [normalise_application_no(chunk) for chunk in chunks]
    for shape in (_is_id_number, MOBILE_SHAPE.fullmatch, _LEGACY_ID.fullmatch):
        for start in range(len(parts)):
            joined = ""
            for end in range(start + 1, len(parts) + 1):
                joined += parts[end - 1]
                if len(joined) > _ID_LENGTH:  # nothing longer can match: keeps this linear
                    break
                if shape(joined):
                    return start, end
    return None


def _is_id_number(text: str) -> bool:
    # Any 18 digits would do for the shape; the check character tells a real ID from a digit-only
    # application number typed next to part of one.
    try:
        return bool(normalise_id_number(text))
    except IdNumberError:
        return False


def _around(chunks: List[str], start: int, end: int) -> Credentials:
    """Read what comes before and after an ID or phone number; an ID still yields its tail."""
    joined = normalise_application_no("".join(chunks[start:end]))
    tail = joined[-6:] if ID_NUMBER_SHAPE.fullmatch(joined) else None
    before = _read_segment(" ".join(chunks[:start])) if start else (None, None)
    after = _read_segment(" ".join(chunks[end:])) if end < len(chunks) else (None, None)
    return before[0] or after[0], tail or before[1] or after[1]


def _split(tail_chunks: List[str], rest: List[str]) -> Optional[Credentials]:
    tail = normalise_id_tail("".join(tail_chunks))
    number = normalise_application_no("".join(rest))
    if tail and len(number) >= MIN_SPLIT_APPLICATION_NO and _plausible_number(number):
        return number, tail
    return None


def _plausible_number(compact: str) -> bool:
    # Needs a digit, so words such as "ID" or "OK" are not numbers. A digit-only run needs 8+
    # characters and must not look like an ID or a mobile number, which are never taken (and
    # never kept in a slot) as an application number.
    if not is_application_no(compact) or not re.search(r"\d", compact) or re.search(r"\d{15,}", compact):
        return False
    if re.search("[A-Z]", compact):
        return True
    return MIN_SPLIT_APPLICATION_NO <= len(compact) < 15 and not MOBILE_SHAPE.fullmatch(compact)


def protect_message(text: str, secret: bytes, application_no: Optional[str] = None) -> Tuple[str, Optional[str]]:
    """The message as it may be stored, and the :func:`~status_store.privacy.tail_token` of the ID
    tail it carried (or None).

    The token is keyed by the application number in the message, else by ``application_no`` (the
    number the conversation is about, as the caller knows it); with neither, the tail is hidden and
    no token made: the resident is asked for it again once the number is known.

    The tail found by :func:`extract_credentials` is replaced where it stands alone, then full ID
    numbers and mobile numbers anywhere (:func:`~status_store.privacy.redact`). The tail goes
    first: next to an application number, "SG2026110001 12345X" would otherwise read as one long
    digit run and take the number with it.
    """
    folded = fold_width(text)
    number, tail = extract_credentials(folded)
    if tail is None:
        safe = redact(folded)
        return (text if safe == folded else safe), None  # untouched text keeps its full-width punctuation
    # As typed: "121017", "12 10 17", "121-017" (the tail was read across spaces and dashes too).
    chars = [re.escape(c) for c in tail[:5]] + [f"[{tail[5]}{tail[5].lower()}]"]
    alone = rf"(?<![A-Za-z0-9]){_TAIL_JOINER.join(chars)}(?![A-Za-z0-9])"
    number = number or (normalise_application_no(application_no) if application_no else None)
    token = tail_token(secret, tail, number) if number and is_application_no(number) else None
    return redact(re.sub(alone, PLACEHOLDER, folded)), token


def carries_lone_tail(text: str) -> bool:
    """True when ``text`` holds an ID tail but no application number (the token needs the number)."""
    number, tail = extract_credentials(fold_width(text))
    return tail is not None and number is None
