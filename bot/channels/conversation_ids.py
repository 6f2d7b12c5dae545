"""Whose conversation a message may join: conversation ids the server issues, and ids a channel refuses.

Rasa keys every conversation by its id alone, whatever the channel, and trusts the client for it:
its socketio channel lets any socket join any id's room (and read the replies there) and post into
any id's conversation; its REST channel takes the ``sender`` as given. So:

- the web chat gets ids from the server, signed with a key derived from the deployment's secret
  (``issue_web_session``); an id the server did not issue is never adopted, so nobody can join a
  WeChat resident's or another page's conversation by naming it;
- REST refuses ids that belong to the other channels (``rest_may_use``): WeChat openids, which
  come signed by WeChat and must not be typed in by anyone else, and the web chat's ids.

A REST client still chooses its own ids among the rest: the channel is for integrations that
authenticate their own users (README, 部署).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import uuid
from typing import Any

from platform_core.settings import get_settings

# Domain separation: the same secret keys the ID-tail hashes, never with this prefix.
_KEY_LABEL = b"web-chat-session-id\x00"
_SIGNATURE_CHARS = 32
_WEB_SESSION = re.compile(r"^[0-9a-f]{32}\.[0-9a-f]{32}$")
# Official Account openids: 28 characters, "o" first (e.g. oyORnuP8q7ou2gfYjqLzSIWZf0rs).
_WECHAT_OPENID = re.compile(r"^o[0-9A-Za-z_-]{27}$")


def _signature(nonce: str) -> str:
    digest = hmac.new(get_settings().hmac_secret, _KEY_LABEL + nonce.encode("ascii"), hashlib.sha256)
    return digest.hexdigest()[:_SIGNATURE_CHARS]


def issue_web_session() -> str:
    """A new web chat conversation id: a random nonce and its signature."""
    nonce = uuid.uuid4().hex
    return f"{nonce}.{_signature(nonce)}"


def is_issued_web_session(value: Any) -> bool:
    """Whether ``value`` is a web chat id this deployment issued (same secret, untampered)."""
    if not isinstance(value, str) or not _WEB_SESSION.match(value):
        return False
    nonce, signature = value.split(".")
    return hmac.compare_digest(signature, _signature(nonce))


def rest_may_use(sender: str) -> bool:
    """Whether a REST client may post as ``sender``: not as a WeChat resident, not as a web chat."""
    return not (_WECHAT_OPENID.match(sender) or _WEB_SESSION.match(sender))
