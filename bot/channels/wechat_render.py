"""Rasa's bot messages as WeChat text, and what a resident's "1", "2" or "0" means. No Rasa or Sanic.

WeChat has no buttons for an Official Account's text replies, and one reply holds at most
2047 bytes of UTF-8. So buttons become numbered lines ("回复1：…"), and the resident's later "1"
is mapped back to that button's payload. A reply that does not fit is split at line or sentence
ends into pages; the resident gets the first page and asks for the next with "0".

Why pages on request rather than pushing the rest through the customer-service API: passive
replies need no access token and no AppSecret, use none of the customer-service quota, always
arrive in order, and let an elderly reader go at their own pace on a small screen. "0" is used
rather than "1" because 1, 2, 3 already mean the numbered options.
"""

from __future__ import annotations

import re
import time
import unicodedata
from dataclasses import dataclass
from typing import Any, Iterable, List, Mapping, Optional, Tuple

from bot.channels.wechat_protocol import Clock, TTLCache
from policy_kb.model import WECHAT_TEXT_LIMIT_BYTES

MORE_COMMANDS = ("0", "更多", "继续")
MORE_HINT = "（内容较长，回复0查看下一部分）"
OPTIONS_HEADER = "请回复数字选择："
# Remember a resident's options and unread pages for a day, for at most this many residents.
MEMORY_SECONDS = 24 * 3600
MEMORY_RESIDENTS = 20_000
_BREAK_AFTER = re.compile(r"(?<=[\n。！？；!?])")
_OPTION = re.compile(r"^(?:回复)?\s*(\d{1,2})\s*[.。、,，!！)）]?$")


@dataclass(frozen=True)
class Rendered:
    """One answer as WeChat text pages (each within the byte limit) and its numbered options."""

    pages: Tuple[str, ...]
    payloads: Tuple[str, ...] = ()


def utf8_len(text: str) -> int:
    return len(text.encode("utf-8"))


def render_messages(messages: Iterable[Mapping[str, Any]], limit: int = WECHAT_TEXT_LIMIT_BYTES) -> Rendered:
    """Rasa bot messages (``{"text": ..., "buttons": [...]}``) as pages plus option payloads.

    Each message's buttons follow its own text, numbered on from the previous message's, so
    "您是不是想问：" is followed by its questions and not by whatever came after it.
    """
    blocks: List[str] = []
    payloads: List[str] = []
    for message in messages:
        text = str(message.get("text") or "").strip()
        buttons = [b for b in message.get("buttons") or [] if b.get("title") and b.get("payload")]
        lines = [f"回复{len(payloads) + number}：{str(b['title']).strip()}" for number, b in enumerate(buttons, 1)]
        payloads += [str(b["payload"]) for b in buttons]
        if lines and not text.endswith(("：", ":")):
            lines.insert(0, OPTIONS_HEADER)  # the text does not already introduce the options
        block = "\n".join(([text] if text else []) + lines)
        if block:
            blocks.append(block)
    return Rendered(tuple(paginate("\n\n".join(blocks), limit)), tuple(payloads))


def paginate(text: str, limit: int = WECHAT_TEXT_LIMIT_BYTES) -> List[str]:
    """``text`` in pages of at most ``limit`` bytes; every page but the last ends with MORE_HINT."""
    if utf8_len(text) <= limit:
        return [text]
    hint = "\n" + MORE_HINT
    pages = split_text(text, limit - utf8_len(hint))
    return [page + hint for page in pages[:-1]] + pages[-1:]


def split_text(text: str, limit: int) -> List[str]:
    """Pieces of at most ``limit`` UTF-8 bytes, cut after a line or sentence end where possible."""
    pieces, current = [], ""
    for segment in _segments(text, limit):
        if current and utf8_len(current + segment) > limit:
            pieces.append(current)
            current = ""
        current += segment
    pieces.append(current)
    return [piece.strip() for piece in pieces if piece.strip()]


def _segments(text: str, limit: int) -> Iterable[str]:
    for segment in _BREAK_AFTER.split(text):
        while utf8_len(segment) > limit:
            # A sentence longer than a page: cut at the byte limit, never inside a character.
            head = segment.encode("utf-8")[:limit].decode("utf-8", "ignore")
            yield head
            segment = segment[len(head) :]
        if segment:
            yield segment


def option_number(text: str) -> Optional[int]:
    """The option a short reply such as "2", "２" or "回复2" picks, if it is one."""
    match = _OPTION.match(unicodedata.normalize("NFKC", text).strip())
    return int(match.group(1)) if match else None


def wants_more(text: str) -> bool:
    return unicodedata.normalize("NFKC", text).strip() in MORE_COMMANDS


@dataclass(frozen=True)
class _Memory:
    payloads: Tuple[str, ...]
    pages: Tuple[str, ...]  # still unread


class ReplyMemory:
    """Per resident: the options of the last answer and its unread pages (bounded, expiring)."""

    def __init__(
        self, max_residents: int = MEMORY_RESIDENTS, ttl: float = MEMORY_SECONDS, clock: Clock = time.monotonic
    ):
        self._cache: TTLCache[str, _Memory] = TTLCache(max_residents, ttl, clock)

    def first_page(self, resident: str, rendered: Rendered) -> str:
        """Remember ``rendered`` for ``resident`` and return the page to send now."""
        self._cache.put(resident, _Memory(rendered.payloads, rendered.pages[1:]))
        return rendered.pages[0]

    def next_page(self, resident: str, text: str) -> Optional[str]:
        """The next unread page when the resident asked for more ("0") and one is waiting."""
        memory = self._cache.get(resident)
        if memory is None or not memory.pages or not wants_more(text):
            return None
        self._cache.put(resident, _Memory(memory.payloads, memory.pages[1:]))
        return memory.pages[0]

    def payload_for(self, resident: str, text: str) -> Optional[str]:
        """The payload of the option the resident picked by number, if the number is one of them."""
        memory, number = self._cache.get(resident), option_number(text)
        if memory is None or number is None or not 1 <= number <= len(memory.payloads):
            return None
        return memory.payloads[number - 1]
