"""Application status store: where a resident's hukou application stands, without keeping ID numbers.

Plain Python and SQLAlchemy only (no Rasa), so actions stay thin and tests need no tracker.
Importing this package opens nothing: the engine is created on the first query.
"""

from status_store.credentials import extract_credentials, normalise_application_no, protect_message
from status_store.lookup import (
    LookupResult,
    StatusView,
    lookup,
    lookup_async,
    throttled_lookup,
    throttled_lookup_async,
)
from status_store.privacy import IdNumberError, mask_name, redact
from status_store.settings import Settings, SettingsError, get_settings
from status_store.throttle import LookupThrottle

__all__ = [
    "IdNumberError",
    "LookupResult",
    "LookupThrottle",
    "Settings",
    "SettingsError",
    "StatusView",
    "extract_credentials",
    "get_settings",
    "lookup",
    "lookup_async",
    "mask_name",
    "normalise_application_no",
    "protect_message",
    "redact",
    "throttled_lookup",
    "throttled_lookup_async",
]
