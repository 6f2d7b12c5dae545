"""Redaction of personal data: ID numbers and mobile numbers in free text, and their shapes.

Used wherever a resident's words are kept or logged: the channels' guard before Rasa stores a
message, the service desk's signals, the console's audit log and transcripts, the status store.

Redaction choice: :func:`redact` replaces every run of 15 or more digits (an 18-character ID,
a legacy 15-digit ID, a bank card; single spaces or hyphens between digits and full-width digits
included, a trailing X allowed) and mainland mobile numbers (1[3-9] + 9 digits, optionally +86).
It deliberately leaves shorter numbers alone: 6-digit runs are postcodes (512000), amounts and
dates in ordinary text, and application numbers such as SG2026110001 are what an operator needs
to read in a log. Messages that answer "身份证后六位" are the exception: callers pass
``id_tail=True`` for those, which also hides a standalone 6-character tail (123456, 12345X).
Because spaces and hyphens may join digits, two dates side by side ("2026-10-08 2026-10-20") are
hidden too: over-redaction is the safe direction for logs and trackers.
"""

from __future__ import annotations

import re
import unicodedata

PLACEHOLDER = "[已隐去]"
LEGACY_ID_LENGTH = 15
# The shapes of an ID number (canonical: half-width, upper-case X), of its last six characters and
# of a mainland mobile number (optionally after the country code 86), for every module that looks.
ID_NUMBER_SHAPE = re.compile(r"\d{17}[\dX]")
TAIL_SHAPE = re.compile(r"\d{5}[\dX]")
MOBILE_SHAPE = re.compile(r"(?:86)?1[3-9]\d{9}")

# A run of digits with at most one space or hyphen between two digits, optionally ending in X.
_DIGIT = "[0-9０-９]"
_SEP = "[ \u3000\\-－]"
_RUN = re.compile(f"{_DIGIT}(?:{_SEP}?{_DIGIT})*(?:{_SEP}?[XxＸｘ])?")
_ALNUM_ASCII = re.compile(r"[A-Za-z0-9Ａ-Ｚａ-ｚ０-９]")


def fold_width(text: str) -> str:
    """Full-width letters, digits and spaces → half-width (NFKC), so １２３ reads as 123."""
    return unicodedata.normalize("NFKC", text)


def redact(text: str, *, id_tail: bool = False) -> str:
    """Replace ID-like digit runs and mobile numbers with :data:`PLACEHOLDER` (see module doc)."""
    return _RUN.sub(lambda match: _redact_run(match, id_tail), text)


def _redact_run(match: re.Match, id_tail: bool) -> str:
    compact = re.sub(r"[\s\-]", "", fold_width(match.group())).upper()
    if len(compact) >= LEGACY_ID_LENGTH or MOBILE_SHAPE.fullmatch(compact):
        return PLACEHOLDER
    if id_tail and TAIL_SHAPE.fullmatch(compact) and _standalone(match):
        return PLACEHOLDER
    return match.group()


def _standalone(match: re.Match) -> bool:
    """True unless the run is glued to letters (SG123456 is an application number, not a tail)."""
    text, start, end = match.string, match.start(), match.end()
    before = text[start - 1] if start else ""
    after = text[end] if end < len(text) else ""
    return not (_ALNUM_ASCII.match(before or " ") or _ALNUM_ASCII.match(after or " "))
