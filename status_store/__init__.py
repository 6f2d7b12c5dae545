"""Application status store: where a resident's hukou application stands, without keeping ID numbers.

Plain Python and SQLAlchemy only (no Rasa), so actions stay thin and tests need no tracker.
Importing this package opens nothing: the engine is created on the first query.
"""

from platform_core.settings import SettingsError  # what a lookup raises when the settings are unusable
from status_store.credentials import extract_credentials, normalise_application_no, protect_message
from status_store.lookup import (
    LookupResult,
    StatusView,
    lookup,
    lookup_async,
    throttled_lookup,
    throttled_lookup_async,
)
from status_store.privacy import IdNumberError, mask_name
from status_store.throttle import LookupThrottle

__all__ = [
    "IdNumberError",
    "LookupResult",
    "LookupThrottle",
    "SettingsError",
    "StatusView",
    "extract_credentials",
    "lookup",
    "lookup_async",
    "mask_name",
    "normalise_application_no",
    "protect_message",
    "throttled_lookup",
    "throttled_lookup_async",
]
