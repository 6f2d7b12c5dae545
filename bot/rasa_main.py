"""``rasa`` as the launcher starts it (launcher/commands.py): the API token from the environment,
and the four changes to Rasa 3.6 that have no supported route, each applied by ``patch_rasa``.

What Rasa offers a route for is not patched: the tracker store is a class named in the endpoints
files (bot/tracker_store.py: one INSERT a turn, JSON-only reads, engine options), as the lock
store is (bot/lock_store.py). The four patches (``rasa_patches``), each with what it works around
in the installed Rasa 3.6.21 (.venv/lib/python3.10/site-packages/rasa/...):

1. ``agent.FailSafeTrackerStore`` → ``AlertingTrackerStore``. core/agent.py:528
   (``Agent._create_tracker_store``) wraps whatever store the endpoints name in
   ``FailSafeTrackerStore``, which on a database error logs one line and carries on with an empty
   in-memory tracker (core/tracker_store.py:1416-1435; introduced by RasaHQ/rasa#3243, where users
   report the lost messages since): the resident's form, slots and history are silently gone, and
   whatever they say next is lost when the process ends. Here the wrapper raises instead (after an
   alert log line), so the channel guard answers "系统繁忙" with the hotline and nothing is stored
   anywhere but the real database. The wrapping is not configurable.
2. ``RemoteAction._validate_action_result`` → ``validate_action_result``. core/actions/action.py:699
   calls ``jsonschema.validate`` on every action-server response, which re-checks the schema and
   builds a validator each time (see the function; a large share of a message's time in make
   bench's profile). Same verdict, same error for a bad response.
3. ``Event.resolve_by_type`` → ``resolve_event_type``. shared/core/events.py:379 walks every Event
   subclass on each call (for every event, and a message reads every event of its session); the
   classes found are remembered.
4. ``rasa.core.utils.read_endpoint_config`` → bot.action_client's. core/utils.py:178 reads the
   action endpoint as a plain ``EndpointConfig``, whose ``request`` opens a new aiohttp session and
   TCP connection for every action call (utils/endpoints.py:105-115, 173); the endpoints file has
   no class setting for the action endpoint. Ours keeps the connections open (bot/action_client.py).

``rasa run`` takes its API token only as ``--auth-token`` on the command line, which ``ps`` shows to
every user of the host. Here the token comes from ``RASA_API_TOKEN`` or the file named by
``RASA_API_TOKEN_FILE`` (a mounted secret) and is added to the arguments inside this process, where
no other user can read them; in production mode a token on the command line is refused. A
production environment with a default secret does not start at all (platform_core.settings).
"""

from __future__ import annotations

import logging
import sys
from functools import lru_cache
from typing import Any, Dict, List, Optional, Sequence, Tuple

from jsonschema.exceptions import best_match
from jsonschema.validators import validator_for
from rasa.core import agent
from rasa.core import utils as rasa_core_utils
from rasa.core.actions.action import RemoteAction
from rasa.core.tracker_store import FailSafeTrackerStore, TrackerStore
from rasa.shared.core.events import Event

from bot.action_client import read_endpoint_config
from platform_core.settings import ConsoleSettingsError, Settings, SettingsError, get_settings, startup_refusal

TOKEN_ENV, TOKEN_FILE_ENV = "RASA_API_TOKEN", "RASA_API_TOKEN_FILE"

logger = logging.getLogger(__name__)


class TrackerStoreUnavailable(RuntimeError):
    """The conversation database cannot be read or written."""


def _alert(error: Exception) -> None:
    # "告警" is what the operators' log alerting matches on; the error text names the database.
    logger.error("告警：对话库不可用，消息未处理（不会改用内存存储）：%s", error)
    raise TrackerStoreUnavailable(str(error)) from error


class AlertingTrackerStore(FailSafeTrackerStore):
    """Rasa's wrapper with the fall-back to memory replaced by an alert and an error."""

    def __init__(self, tracker_store: TrackerStore, *args: Any, **kwargs: Any) -> None:
        super().__init__(tracker_store, on_tracker_store_error=_alert)


@lru_cache(maxsize=1)
def _action_result_validators() -> Tuple[Any, Any, Optional[Dict[str, Any]]]:
    """Rasa's response schema compiled whole, and split for the fast check (see validate_action_result):
    the response with its events only checked to be a list, and one validator per event type."""
    spec = RemoteAction.action_response_format_spec()
    event_schema = spec["properties"]["events"]["items"]
    common = {key: value for key, value in event_schema.items() if key != "oneOf"}
    by_type: Optional[Dict[str, Any]] = {}
    for alternative in event_schema["oneOf"]:
        schema = {"allOf": [common, alternative]}
        by_type[alternative.get("properties", {}).get("event", {}).get("const")] = validator_for(schema)(schema)
    if None in by_type or len(by_type) != len(event_schema["oneOf"]):
        by_type = None  # not one distinct constant per branch: oneOf is no lookup, check it whole
    shallow = {**spec, "properties": {**spec["properties"], "events": {"type": "array"}}}
    return validator_for(spec)(spec), validator_for(shallow)(shallow), by_type


def _passes_fast_check(result: Any) -> bool:
    _, shallow, by_type = _action_result_validators()
    if by_type is None or not shallow.is_valid(result):
        return False
    for event in result.get("events") or []:
        kind = event.get("event") if isinstance(event, dict) else None
        validator = by_type.get(kind) if isinstance(kind, str) else None
        if validator is None or not validator.is_valid(event):
            return False
    return True


def validate_action_result(_: RemoteAction, result: Dict[str, Any]) -> bool:
    """Rasa's check of every action-server response, with the same verdict at a fraction of the cost.

    ``RemoteAction._validate_action_result`` calls ``jsonschema.validate``, which re-checks the
    schema and builds a validator on every call (54 ms of a 178 ms message in make bench's profile;
    compiled once, 7.6 ms). Even compiled, each event is tried against all 23 branches of the
    schema's ``oneOf`` (one per event type, told apart by the constant in ``event``), building an
    error for each of the 22 that fail: 0.5 ms a response, 1.8 ms a message. Exactly one branch can
    match an event, the one named by its ``event``, so that branch alone is checked; a response
    that fails goes through the whole schema, for Rasa's own best-matching error.
    """
    if _passes_fast_check(result):
        return True
    error = best_match(_action_result_validators()[0].iter_errors(result))
    if error is None:
        return True
    error.message += ". Failed to validate Action server response from API."
    raise error


_rasa_resolve_event_type = Event.resolve_by_type
_event_classes: Dict[str, type] = {}


def resolve_event_type(type_name: Any, default: Optional[type] = None) -> Optional[type]:
    """``Event.resolve_by_type``, remembering each class found (never a fall-back or an error)."""
    if isinstance(type_name, str) and type_name in _event_classes:
        return _event_classes[type_name]
    found = _rasa_resolve_event_type(type_name, default)
    if found is not None and found is not default and isinstance(type_name, str):
        _event_classes[type_name] = found
    return found


def rasa_patches() -> List[Tuple[Any, str, Any]]:
    """The launcher's changes to Rasa 3.6 that have no supported route: (owner, attribute, replacement).
    The module docstring gives the Rasa source line each one works around."""
    return [
        (agent, "FailSafeTrackerStore", AlertingTrackerStore),  # core/agent.py:528, the one place it wraps
        (RemoteAction, "_validate_action_result", validate_action_result),  # core/actions/action.py:699
        (Event, "resolve_by_type", staticmethod(resolve_event_type)),  # shared/core/events.py:379
        (rasa_core_utils, "read_endpoint_config", read_endpoint_config),  # core/utils.py:178
    ]


def patch_rasa() -> None:
    """Apply rasa_patches() (the launched Rasa; bench.profile too, to measure what runs)."""
    for owner, name, replacement in rasa_patches():
        setattr(owner, name, replacement)


class StartupRefused(RuntimeError):
    """The environment is not safe to serve from; the message says what to change."""


def _token_on_command_line(argv: Sequence[str]) -> bool:
    return any(
        arg in ("-t", "--auth-token")
        or arg.startswith("--auth-token=")
        or (arg.startswith("-t") and not arg.startswith("--"))
        for arg in argv
    )


def api_token(settings: Settings) -> str:
    """The API token from RASA_API_TOKEN, else from the file RASA_API_TOKEN_FILE; "" if neither."""
    if settings.rasa_api_token or not settings.rasa_api_token_file:
        return settings.rasa_api_token
    try:
        return settings.rasa_api_token_file.read_text(encoding="utf-8").strip()
    except OSError as error:
        raise StartupRefused(f"无法读取 {TOKEN_FILE_ENV} 指定的令牌文件：{error.strerror}") from None


def startup_settings() -> Settings:
    """The process's settings, or StartupRefused listing everything unsafe in its environment
    (production mode with a default secret, a bad REST integration, ...)."""
    refusal = startup_refusal()
    if refusal:
        raise StartupRefused(refusal)
    try:
        return get_settings()
    except (SettingsError, ConsoleSettingsError) as error:  # a console limit that is not a number
        raise StartupRefused(str(error)) from None


def run_arguments(argv: Sequence[str], settings: Optional[Settings] = None) -> List[str]:
    """``argv`` with, for ``rasa run``, the API token from the settings or its file appended.

    StartupRefused: an unsafe environment (:func:`startup_settings`, when ``settings`` is not given),
    a token on the command line in production mode, or the HTTP API enabled there without a token."""
    argv = list(argv)
    if argv[1:2] != ["run"]:
        return argv
    settings = settings or startup_settings()
    if _token_on_command_line(argv):
        if settings.production:
            raise StartupRefused(
                f"不要在命令行上传 --auth-token（ps 人人可见），请改用环境变量 {TOKEN_ENV} 或 {TOKEN_FILE_ENV}。"
            )
        logger.warning("--auth-token 在命令行上，本机其他用户可用 ps 看到；请改用环境变量 %s", TOKEN_ENV)
        return argv
    token = api_token(settings)
    if token:
        return argv + [f"--auth-token={token}"]  # one argument: a token may start with "-"
    if settings.production and "--enable-api" in argv:
        raise StartupRefused(
            f"生产模式开启了 Rasa HTTP 接口（--enable-api），但没有设置 {TOKEN_ENV} 或 {TOKEN_FILE_ENV}。"
        )
    return argv


def main() -> None:
    try:
        sys.argv = run_arguments(sys.argv)
    except StartupRefused as error:
        print(error, file=sys.stderr)
        raise SystemExit(2) from None
    patch_rasa()
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    main()
