"""Who may use the REST channel: integrations, each with a credential of its own.

REST lets the client name the conversation (``sender``), so anyone who can reach it and guesses
an id reads and writes that conversation. Residents use the web page and WeChat, whose ids nobody
else can claim; REST is for integrations (another government app, the hotline's own system) that
authenticate their own users. So:

- ``REST_INTEGRATIONS`` (or the file ``REST_INTEGRATIONS_FILE``) lists them, one ``name=token`` per
  line or separated by commas; a request names its integration by ``Authorization: Bearer <token>``
  (compared in constant time with every token);
- each integration's conversations are its own: the sender becomes ``<name>~<sender>``, so one
  integration can neither read nor write another's, nor a conversation made without a credential;
- with integrations configured, or in production mode, every request needs a credential; with
  neither (``make run``, tests), REST stays open — on loopback, where only this machine reaches it.

No Rasa or Sanic here.
"""

from __future__ import annotations

import hmac
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Mapping, Optional

TOKENS_ENV, TOKENS_FILE_ENV = "REST_INTEGRATIONS", "REST_INTEGRATIONS_FILE"
MIN_TOKEN_CHARS = 32
SEPARATOR = "~"
_NAME = re.compile(r"^[a-z0-9_-]{1,32}$")


class IntegrationsError(ValueError):
    """REST_INTEGRATIONS cannot be used; the message says which entry and why."""


@dataclass(frozen=True)
class Integrations:
    tokens: Dict[str, bytes] = field(default_factory=dict, repr=False)  # name -> token
    required: bool = False

    @classmethod
    def from_env(cls, environ: Optional[Mapping[str, str]] = None) -> "Integrations":
        env = os.environ if environ is None else environ
        tokens = parse(_configured(env))
        production = (env.get("APP_MODE") or "").strip().lower() == "production"
        return cls(tokens, required=production or bool(tokens))

    def identify(self, authorization: Optional[str]) -> Optional[str]:
        """The integration a ``Bearer`` token belongs to, or None."""
        scheme, _, given = (authorization or "").strip().partition(" ")
        if scheme.lower() != "bearer" or not given.strip():
            return None
        given_bytes, found = given.strip().encode(), None
        for name, token in self.tokens.items():  # every token compared: the time says nothing
            if hmac.compare_digest(given_bytes, token):
                found = name
        return found


def conversation_id(integration: str, sender: str) -> str:
    """The conversation an integration's ``sender`` is filed under: its own, namespaced."""
    return f"{integration}{SEPARATOR}{sender}"


def parse(text: str) -> Dict[str, bytes]:
    """``name=token`` entries (lines or commas) → tokens; IntegrationsError for a bad entry."""
    tokens: Dict[str, bytes] = {}
    for entry in (part.strip() for part in re.split(r"[,\n]", text or "")):
        if not entry or entry.startswith("#"):
            continue
        name, _, token = (piece.strip() for piece in entry.partition("="))
        if not _NAME.match(name):
            raise IntegrationsError(
                f"REST_INTEGRATIONS 中的集成名 {name!r} 只能用小写字母、数字、下划线和连字符（最多 32 个）"
            )
        if len(token) < MIN_TOKEN_CHARS:
            raise IntegrationsError(f"REST_INTEGRATIONS 中 {name} 的令牌太短：至少 {MIN_TOKEN_CHARS} 个字符")
        if name in tokens or token.encode() in tokens.values():
            raise IntegrationsError(f"REST_INTEGRATIONS 中 {name} 重复，或与别的集成用了同一个令牌")
        tokens[name] = token.encode()
    return tokens


def problems(environ: Mapping[str, str]) -> List[str]:
    """What is wrong with the configured integrations (for the start-up check)."""
    try:
        parse(_configured(environ))
    except (IntegrationsError, OSError) as error:
        return [str(error)]
    return []


def _configured(env: Mapping[str, str]) -> str:
    if env.get(TOKENS_ENV):
        return env[TOKENS_ENV]
    path = env.get(TOKENS_FILE_ENV)
    return Path(path).read_text(encoding="utf-8") if path else ""
