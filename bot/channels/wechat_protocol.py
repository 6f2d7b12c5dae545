"""The WeChat Official Account wire protocol, as pure functions. No Rasa or Sanic here.

Signatures and AES come from wechatpy; only the comparison is ours, because wechatpy compares
signatures with ``!=`` and we want a constant-time check. XML is parsed with defusedxml and any
DTD is refused (wechatpy's parser uses plain xmltodict), so entity expansion and XXE are
impossible: WeChat never sends a DTD. Every refusal is an ``inbound.BadRequest`` carrying the
HTTP status the channel answers with (403 for anything unauthenticated, 400/413 for bad bodies).
"""

from __future__ import annotations

import hmac
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Callable, Dict, Generic, Hashable, Mapping, Optional, TypeVar
from xml.etree.ElementTree import ParseError

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException
from wechatpy.crypto import PrpCrypto, WeChatCrypto
from wechatpy.replies import TextReply
from wechatpy.utils import WeChatSigner

from bot.channels.inbound import MAX_SENDER_CHARS, BadRequest

# A WeChat push is under 2 KB; 64 KiB leaves room for the largest event and stops abuse early.
MAX_BODY_BYTES = 64 * 1024
# WeChat signs the timestamp; a request signed long ago is a replay, not a retry (retries come
# within 15 seconds). Five minutes tolerates clock drift between WeChat and us.
REPLAY_WINDOW_SECONDS = 300
REQUIRED_FIELDS = ("ToUserName", "FromUserName", "CreateTime", "MsgType")

Clock = Callable[[], float]


@dataclass(frozen=True)
class WeChatMessage:
    """One message or event pushed by WeChat, with the fields this assistant uses."""

    to_user: str  # the Official Account's own id (gh_...)
    from_user: str  # the resident's openid
    create_time: int
    msg_type: str  # lower case: text, voice, image, event, ...
    msg_id: Optional[str] = None
    content: Optional[str] = None
    recognition: Optional[str] = None
    event: Optional[str] = None  # lower case: subscribe, unsubscribe, click, ...

    @property
    def dedup_key(self) -> str:
        """Same key for WeChat's retries of one push: sender + MsgId, or sender + time for events.

        MsgId alone is not enough: it is unique per account only as WeChat assigns it, and a
        push forged or replayed under another openid must not take over a resident's answer.
        """
        if self.msg_id:
            return f"msg:{self.from_user}:{self.msg_id}"
        return f"event:{self.from_user}:{self.create_time}"


@dataclass(frozen=True)
class Envelope:
    """A verified, decrypted push and what the reply needs to mirror (safe mode, nonce)."""

    message: WeChatMessage
    encrypted: bool
    nonce: str
    timestamp: str = ""

    @property
    def replay_key(self) -> str:
        """The signed (timestamp, nonce) pair: accepted once within the replay window."""
        return f"nonce:{self.timestamp}:{self.nonce}"


def signature(*parts: str) -> str:
    """WeChat's signature: sha1 of the sorted, concatenated parts (token, timestamp, nonce[, data])."""
    signer = WeChatSigner()
    signer.add_data(*parts)
    return signer.signature


def verify_signature(token: str, given: Optional[str], timestamp: str, nonce: str, *data: str) -> None:
    """Constant-time signature check; raises 403 when missing or wrong."""
    expected = signature(token, timestamp, nonce, *data).encode("ascii")
    if not given or not hmac.compare_digest(expected, given.encode("utf-8", "replace")):
        raise BadRequest("签名无效。", status=403)


def check_fresh(timestamp: Optional[str], now: float, window: int = REPLAY_WINDOW_SECONDS) -> str:
    """The signed timestamp, refused (403) when missing or further than ``window`` seconds from now."""
    try:
        value = int(timestamp or "")
    except ValueError:
        raise BadRequest("时间戳无效。", status=403) from None
    if abs(now - value) > window:
        raise BadRequest("请求已过期。", status=403)
    return str(timestamp)


def _signed_basics(params: Mapping[str, Any], token: str, now: float) -> tuple:
    if not token:
        raise BadRequest("微信渠道未配置。", status=503)
    timestamp = check_fresh(params.get("timestamp"), now)
    return timestamp, str(params.get("nonce") or "")


def verify_url(params: Mapping[str, Any], token: str, now: float) -> str:
    """The ``echostr`` to echo back for WeChat's URL check (GET), only when the signature is valid."""
    timestamp, nonce = _signed_basics(params, token, now)
    verify_signature(token, params.get("signature"), timestamp, nonce)
    echostr = params.get("echostr")
    if not echostr:
        raise BadRequest("缺少 echostr。")
    return str(echostr)


def open_request(
    params: Mapping[str, Any], body: bytes, token: str, crypto: Optional[WeChatCrypto], now: float
) -> Envelope:
    """Verify (and in safe mode decrypt) one POST from WeChat and parse the message in it.

    With an EncodingAESKey configured (``crypto``), only safe-mode requests are accepted: in plain
    mode the signature covers the URL's timestamp and nonce but not the body, so anyone who saw one
    signed URL (a proxy's access log) could post any message as any resident for the whole window.
    The caller must still refuse a second use of the (timestamp, nonce) pair (``replay_key``).
    """
    timestamp, nonce = _signed_basics(params, token, now)
    encrypted = params.get("encrypt_type") == "aes"
    if crypto is not None and not encrypted:
        raise BadRequest("已启用安全模式：只接受加密消息。", status=403)
    if not encrypted or params.get("signature"):
        # Plain mode: ``signature`` is the proof. Safe mode: msg_signature is, and a URL
        # signature, when present, must be right too.
        verify_signature(token, params.get("signature"), timestamp, nonce)
    if len(body) > MAX_BODY_BYTES:
        raise BadRequest("请求过大。", status=413)
    fields = parse_xml(body)
    if encrypted:
        fields = parse_xml(_decrypt(fields, params.get("msg_signature"), token, crypto, timestamp, nonce))
    return Envelope(_message(fields), encrypted, nonce, timestamp)


def _decrypt(
    fields: Dict[str, str],
    msg_signature: Optional[str],
    token: str,
    crypto: Optional[WeChatCrypto],
    timestamp: str,
    nonce: str,
) -> bytes:
    encrypt = fields.get("Encrypt")
    if not encrypt:
        raise BadRequest("安全模式消息缺少 Encrypt。")
    verify_signature(token, msg_signature, timestamp, nonce, encrypt)
    if crypto is None:
        raise BadRequest("未配置 EncodingAESKey，无法解密安全模式消息。", status=503)
    try:
        return PrpCrypto(crypto.key).decrypt(encrypt, crypto.app_id).encode("utf-8")
    except Exception:  # noqa: BLE001 - bad base64, padding or AppID all mean "not a message for us"
        raise BadRequest("无法解密消息。") from None


def parse_xml(body: bytes) -> Dict[str, str]:
    """The children of WeChat's ``<xml>`` root as a flat dict; DTDs and entities refused (400)."""
    if not body or not body.strip():
        raise BadRequest("请求体为空。")
    try:
        root = SafeET.fromstring(body, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except (ParseError, DefusedXmlException, ValueError):
        raise BadRequest("XML 格式不正确。") from None
    if root.tag != "xml":
        raise BadRequest("XML 格式不正确：根元素应为 <xml>。")
    return {child.tag: (child.text or "") for child in root if isinstance(child.tag, str)}


def _message(fields: Dict[str, str]) -> WeChatMessage:
    missing = [name for name in REQUIRED_FIELDS if not fields.get(name, "").strip()]
    if missing:
        raise BadRequest(f"消息缺少字段：{', '.join(missing)}。")
    sender = fields["FromUserName"].strip()
    if len(sender) > MAX_SENDER_CHARS:
        raise BadRequest("FromUserName 过长。")
    try:
        create_time = int(fields["CreateTime"])
    except ValueError:
        raise BadRequest("CreateTime 必须是整数。") from None
    event = fields.get("Event")
    return WeChatMessage(
        to_user=fields["ToUserName"].strip(),
        from_user=sender,
        create_time=create_time,
        msg_type=fields["MsgType"].strip().lower(),
        msg_id=(fields.get("MsgId") or "").strip() or None,
        content=fields.get("Content"),
        recognition=fields.get("Recognition"),
        event=event.strip().lower() if event else None,
    )


def cdata_safe(text: str) -> str:
    """Text that cannot end a CDATA section early or carry characters XML 1.0 forbids.

    wechatpy writes ``<![CDATA[{text}]]>`` without escaping, so a ``]]>`` in an answer would
    end the section and break (or inject into) the reply. Splitting it across two sections keeps
    the text byte-for-byte what the resident sees.
    """
    text = "".join(ch for ch in text if ch in "\t\n\r" or ch >= " " and ch not in "\ufffe\uffff")
    return text.replace("]]>", "]]]]><![CDATA[>")


def reply_xml(message: WeChatMessage, content: str, now: float) -> str:
    """The passive text reply to ``message``, rendered by wechatpy."""
    reply = TextReply(
        source=cdata_safe(message.to_user),
        target=cdata_safe(message.from_user),
        content=cdata_safe(content),
        time=int(now),
    )
    return reply.render()


def encrypt_reply(crypto: WeChatCrypto, xml: str, nonce: str, now: float) -> str:
    """A reply for safe mode: encrypted and signed by wechatpy."""
    return crypto.encrypt_message(xml, nonce, str(int(now)))


K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class TTLCache(Generic[K, V]):
    """A small dict whose entries expire after ``ttl`` seconds and never exceed ``max_entries``.

    Used for retry deduplication and per-resident reply memory, so a flood of openids or MsgIds
    can never grow the process without bound.
    """

    def __init__(self, max_entries: int, ttl: float, clock: Clock = time.monotonic):
        self._entries: "OrderedDict[K, tuple]" = OrderedDict()
        self._max, self._ttl, self._clock = max_entries, ttl, clock

    def get(self, key: K) -> Optional[V]:
        entry = self._entries.get(key)
        if entry is None or entry[0] <= self._clock():
            return None
        return entry[1]

    def put(self, key: K, value: V) -> None:
        self._entries.pop(key, None)
        self._entries[key] = (self._clock() + self._ttl, value)
        self._evict()

    def pop(self, key: K) -> Optional[V]:
        entry = self._entries.pop(key, None)
        return entry[1] if entry and entry[0] > self._clock() else None

    def __len__(self) -> int:
        self._evict()
        return len(self._entries)

    def _evict(self) -> None:
        now = self._clock()
        # Entries are kept in expiry order (same ttl, re-inserted on put), so expired ones lead.
        while self._entries and next(iter(self._entries.values()))[0] <= now:
            self._entries.popitem(last=False)
        while len(self._entries) > self._max:
            self._entries.popitem(last=False)
