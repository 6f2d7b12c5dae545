"""Settings from the environment: safe defaults when embedded, refusal in production."""

import logging

import pytest

from platform_core.settings import DEFAULT_DB_URL, DEV_SECRET, Settings, SettingsError

STRONG = "f" * 64


def test_embedded_defaults_work_without_configuration(caplog):
    with caplog.at_level(logging.WARNING, logger="platform_core.settings"):
        settings = Settings.from_env({})
    assert settings.app_mode == "embedded"
    assert settings.status_db_url == DEFAULT_DB_URL and DEFAULT_DB_URL.endswith("var/status.db")
    assert settings.hmac_secret == DEV_SECRET.encode()
    assert "STATUS_HMAC_SECRET" in caplog.text


def test_environment_values_are_used():
    settings = Settings.from_env(
        {"STATUS_DB_URL": "sqlite:///x.db", "STATUS_HMAC_SECRET": STRONG, "APP_MODE": "Production"}
    )
    assert (settings.status_db_url, settings.hmac_secret, settings.app_mode) == (
        "sqlite:///x.db",
        STRONG.encode(),
        "production",
    )


@pytest.mark.parametrize(
    "env, message",
    [
        ({"APP_MODE": "production"}, "必须设置 STATUS_HMAC_SECRET"),
        ({"APP_MODE": "production", "STATUS_HMAC_SECRET": "  "}, "必须设置 STATUS_HMAC_SECRET"),
        ({"APP_MODE": "production", "STATUS_HMAC_SECRET": DEV_SECRET}, "不能使用开发默认密钥"),
        ({"APP_MODE": "production", "STATUS_HMAC_SECRET": "short"}, "太短"),
        ({"APP_MODE": "staging"}, "APP_MODE 应为 embedded 或 production"),
    ],
)
def test_unsafe_configurations_are_refused(env, message):
    with pytest.raises(SettingsError, match=message):
        Settings.from_env(env)


def test_repr_never_shows_the_secret_or_url():
    settings = Settings.from_env({"STATUS_HMAC_SECRET": STRONG, "STATUS_DB_URL": "postgresql://u:pw@h/db"})
    assert STRONG not in repr(settings) and "pw" not in repr(settings)
