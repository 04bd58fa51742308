"""Settings refuse unusable values with the variable's name; the OpenAPI document covers every route."""

from __future__ import annotations

import pytest

from app.main import ROUTES
from app.openapi import openapi_document
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
    document = openapi_document(ROUTES)
    described = {(path, method) for path, ops in document["paths"].items() for method in ops}
    expected = {(r.path, m.lower()) for r in ROUTES for m in r.methods if m != "HEAD"}
    assert described == expected
    send = document["paths"]["/api/v1/stations/{slug}/alerts"]["post"]
    assert send["security"] == [{"operator": []}]
    assert send["parameters"][0]["name"] == "slug"
