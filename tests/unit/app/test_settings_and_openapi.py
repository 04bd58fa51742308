"""Settings refuse unusable values with the variable's name; the OpenAPI document covers every route."""

from __future__ import annotations

import pytest

from app.main import OPERATIONS, api_document
from app.settings import Settings, SettingsError


def test_settings_from_environment(monkeypatch) -> None:
    monkeypatch.setenv("TOCSIN_PUSH_HOSTS", "push.example.org, *.push.example.net")
    monkeypatch.setenv("TOCSIN_PUSH_ALLOW_LOOPBACK", "yes")
    monkeypatch.setenv("TOCSIN_SEND_BATCH_SIZE", "500")
    settings = Settings.from_env()
    assert settings.push_hosts == ("push.example.org", "*.push.example.net")
    assert settings.push_allow_loopback is True
    assert settings.send_batch_size == 500


@pytest.mark.parametrize(("name", "value", "phrase"), [
    ("TOCSIN_PUSH_ALLOW_LOOPBACK", "perhaps", "true or false"),
    ("TOCSIN_SEND_BATCH_SIZE", "lots", "whole number"),
    ("TOCSIN_SEND_BATCH_SIZE", "0", "at least 1"),
    ("TOCSIN_VAPID_SUBJECT", "admin@example.org", "mailto:"),
])
def test_bad_settings_name_the_variable(monkeypatch, name, value, phrase) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as error:
        Settings.from_env()
    assert name in str(error.value) and phrase in str(error.value)


def test_openapi_describes_every_route() -> None:
    document = api_document()
    described = {(path, method) for path, ops in document["paths"].items() for method in ops}
    expected = {(op.path, op.method.lower()) for op in OPERATIONS}
    assert described == expected
    send = document["paths"]["/api/v1/stations/{slug}/alerts"]["post"]
    assert send["security"] == [{"operator": []}, {"session": []}]  # an API token or the console's session
    assert send["parameters"][0]["name"] == "slug"


def test_apns_settings_go_together(monkeypatch) -> None:
    monkeypatch.setenv("TOCSIN_APNS_KEY_FILE", "/etc/tocsin/AuthKey_ABC.p8")
    monkeypatch.setenv("TOCSIN_APNS_KEY_ID", "ABC1234567")
    with pytest.raises(SettingsError) as error:
        Settings.from_env()
    assert "TOCSIN_APNS_TEAM_ID, TOCSIN_APNS_TOPIC" in str(error.value)
    monkeypatch.setenv("TOCSIN_APNS_TEAM_ID", "TEAM123456")
    monkeypatch.setenv("TOCSIN_APNS_TOPIC", "fr.ville.alertes, fr.ville.ecoles")
    settings = Settings.from_env()
    assert settings.apns_topics == ("fr.ville.alertes", "fr.ville.ecoles")
    assert settings.configured_channels() == ("webpush", "apns")


def test_without_mobile_credentials_only_web_push_runs_and_the_logs_say_how_to_add_them() -> None:
    settings = Settings()
    assert settings.configured_channels() == ("webpush",)
    report = "\n".join(settings.channel_report())
    assert "TOCSIN_APNS_KEY_FILE" in report and "TOCSIN_FCM_SERVICE_ACCOUNT_FILE" in report


@pytest.mark.parametrize("platform", ["apns", "fcm"])
def test_a_server_without_credentials_refuses_mobile_registrations(platform) -> None:
    from app.contract import parse_body
    from app.errors import InvalidInput
    from app.models.devices import DeviceRegistration
    from app.services.subscriptions import parse_push_address

    registration = parse_body(f'{{"platform": "{platform}", "token": "{"ab" * 32}"}}'.encode(), DeviceRegistration)
    with pytest.raises(InvalidInput) as error:
        parse_push_address(registration, Settings())
    assert error.value.code == "subscription.channel_not_configured"
    assert error.value.field == "platform" and "not set up for" in str(error.value)
