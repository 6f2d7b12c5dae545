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

The entries are settings (platform_core.settings: ``Settings.rest_integrations``, parsed and checked
there, so ``startup_refusal`` names a bad one before any process starts). No Rasa or Sanic here.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass, field
from typing import Dict, Optional

# The entries are read and checked with the other settings (a bad one stops every process at start-up).
from platform_core.settings import IntegrationsError, Settings, get_settings
from platform_core.settings import parse_integrations as parse

__all__ = ["Integrations", "IntegrationsError", "conversation_id", "parse"]

SEPARATOR = "~"


@dataclass(frozen=True)
class Integrations:
    tokens: Dict[str, bytes] = field(default_factory=dict, repr=False)  # name -> token
    required: bool = False

    @classmethod
    def from_settings(cls, settings: Optional[Settings] = None) -> Integrations:
        """The configured integrations; every request needs one in production mode or once any is set."""
        settings = settings or get_settings()
        tokens = settings.rest_integrations
        return cls(tokens, required=settings.production or bool(tokens))

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
