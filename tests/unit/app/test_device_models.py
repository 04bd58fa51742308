"""A device's requests decoded into models: what each platform takes, the keys and tokens checked
before any push, and the refusals as codes naming the field."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from app.contract import parse_body
from app.errors import InvalidInput
from app.models.devices import DeviceRegistration, FollowsRequest, LocationRequest, PlacesRequest
from app.models.public import CommuneSearch, StationSearch
from app.vocab import Category, Channel, PlaceKind


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


P256DH = _b64(ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(
    serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint))
AUTH = _b64(bytes(range(16)))


def webpush(**changes: Any) -> dict[str, Any]:
    subscription: dict[str, Any] = {"endpoint": "https://fcm.googleapis.com/fcm/send/abc",
                                    "keys": {"p256dh": P256DH, "auth": AUTH}, "expirationTime": None}
    return {"platform": "webpush", "subscription": subscription, **changes}


def decode(body: object, model: type = DeviceRegistration) -> Any:
    return parse_body(json.dumps(body).encode(), model)


def refusal(body: object, model: type = DeviceRegistration) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        decode(body, model)
    return caught.value


def test_a_browser_registration_with_its_defaults() -> None:
    registration = decode(webpush())
    assert registration.platform is Channel.WEBPUSH and registration.locale == "fr"
    assert registration.places == [] and registration.follow == [] and registration.nearby is None
    assert registration.subscription.keys.p256dh == P256DH


def test_null_means_the_default_and_words_are_tidied() -> None:
    registration = decode(webpush(platform=" webpush ", locale=None, places=None, follow=None, nearby=None,
                                  position=None))
    assert registration.locale == "fr" and registration.places == [] and registration.follow == []
    assert decode(webpush(locale="EN-GB")).locale == "en-GB"
    places = decode({"places": [{"kind": None, "lat": 45.4, "lon": 4.39}, {"kind": " work ", "lat": 1, "lon": 2}]},
                    PlacesRequest)
    assert [p.kind for p in places.places] == [PlaceKind.HOME, PlaceKind.WORK]


def test_a_position_and_the_keys_may_carry_other_keys_a_place_may_not() -> None:
    assert decode(webpush(position={"lat": 45.4, "lon": 4.39, "accuracy": 12})).position.lat == 45.4
    registration = webpush()
    registration["subscription"]["keys"]["future"] = "x"
    assert decode(registration).subscription.keys.auth == AUTH
    error = refusal(webpush(places=[{"lat": 45.4, "lon": 4.39, "accuracy": 12}]))
    assert (error.code, error.field) == ("input.unknown_field", "places[0].accuracy")


def test_a_follow_is_a_station_name_or_a_choice_of_categories() -> None:
    follows = decode({"follow": ["saint-etienne", {"station": "club-de-judo", "categories": ["Safety", "Met"]}]},
                     FollowsRequest).follow
    assert [(f.station, f.categories) for f in follows] == [
        ("saint-etienne", None), ("club-de-judo", [Category.SAFETY, Category.MET])]
    for bad in (5, "", None, ["saint-etienne"]):
        error = refusal({"follow": [bad]}, FollowsRequest)
        assert (error.code, error.field) == ("device.not_a_station_name", "follow[0]")
        assert error.message == "follow[0] must be a station name such as 'saint-etienne'"
    error = refusal({"follow": [{"station": "x", "categories": ["Gossip"]}]}, FollowsRequest)
    assert (error.code, error.field) == ("input.not_one_of", "follow[0].categories[0]")


@pytest.mark.parametrize(("body", "code", "field", "words"), [
    ({"subscription": webpush()["subscription"]}, "input.required", "platform", "platform is required"),
    ({"platform": "sms", "token": "0612345678"}, "input.not_one_of", "platform", "must be one of webpush, apns, fcm"),
    ({"platform": "webpush"}, "input.required", "subscription", "subscription is required"),
    (webpush(token="ab" * 32), "input.unknown_field", "token",
     "unknown field 'token'; allowed fields are: follow, locale, nearby, places, platform, position, subscription"),
    ({"platform": "apns", "token": "ab" * 32, "subscription": {}}, "input.unknown_field", "subscription",
     "unknown field 'subscription'"),
    ({"platform": "fcm", "token": "a" * 64, "bundle": "fr.x.y"}, "input.unknown_field", "bundle", "unknown field"),
    (webpush(colour="red"), "input.unknown_field", "colour", "unknown field 'colour'"),
    ({"platform": "webpush", "subscription": {"endpoint": "https://fcm.googleapis.com/x"}},
     "subscription.keys_missing", "subscription.keys", "must be a JSON object"),
    ({"platform": "webpush", "subscription": {"endpoint": "https://fcm.googleapis.com/x", "keys": None}},
     "subscription.keys_missing", "subscription.keys", "must be a JSON object"),
    ({"platform": "webpush", "subscription": {"endpoint": "https://fcm.googleapis.com/x", "keys": []}},
     "input.not_an_object", "subscription.keys", "must be a JSON object"),
    ({"platform": "webpush", "subscription": {"endpoint": 42, "keys": {"p256dh": P256DH, "auth": AUTH}}},
     "input.not_a_string", "subscription.endpoint", "must be a string"),
    ({"platform": "webpush", "subscription": {"endpoint": "x", "keys": {"p256dh": "AAAA", "auth": AUTH}}},
     "subscription.p256dh_not_uncompressed", "subscription.keys.p256dh", "65 bytes"),
    ({"platform": "webpush", "subscription": {"endpoint": "x", "keys": {"p256dh": "B" * 87, "auth": AUTH}}},
     "subscription.p256dh_not_on_curve", "subscription.keys.p256dh", "P-256 curve"),
    ({"platform": "webpush", "subscription": {"endpoint": "x", "keys": {"p256dh": "!!!", "auth": AUTH}}},
     "subscription.not_base64url", "subscription.keys.p256dh", "base64url"),
    ({"platform": "webpush", "subscription": {"endpoint": "x", "keys": {"p256dh": P256DH, "auth": "AAAA"}}},
     "subscription.auth_not_16_bytes", "subscription.keys.auth", "16 bytes"),
    ({"platform": "apns"}, "input.required", "token", "token is required"),
    ({"platform": "apns", "token": "zz" * 32}, "subscription.bad_apns_token", "token", "hexadecimal"),
    ({"platform": "apns", "token": "a" * 65}, "subscription.bad_apns_token", "token", "even number"),
    ({"platform": "apns", "token": "ab" * 32, "bundle": "no spaces allowed"}, "subscription.bad_bundle", "bundle",
     "bundle must be an app bundle id such as 'fr.ville.alertes' (got 'no spaces allowed')"),
    ({"platform": "fcm", "token": "short"}, "subscription.bad_fcm_token", "token", "registration token"),
    ({"platform": "fcm", "token": "a" * 5000}, "input.too_long", "token", "too long"),
    (webpush(locale="français!"), "device.bad_locale", "locale",
     "locale must be a language tag such as 'fr' or 'en-GB' (got 'français!')"),
    (webpush(places=[{"lat": 95, "lon": 4}]), "input.out_of_range", "places[0].lat", "between -85 and 85"),
    (webpush(places=[{"lat": True, "lon": 4}]), "input.not_a_number", "places[0].lat", "must be a number"),
    (webpush(places=[{"lat": 45, "lon": 4}] * 11), "input.too_many_items", "places", "at most 10"),
    (webpush(nearby="yes"), "input.not_a_boolean", "nearby", "true or false"),
])
def test_a_bad_registration_names_the_field_and_the_reason(body: object, code: str, field: str, words: str) -> None:
    error = refusal(body)
    assert (error.code, error.field) == (code, field), error.message
    assert words in error.message
    french = error.message_in("fr")
    assert french and french != error.message


def test_mobile_tokens_in_any_letter_case() -> None:
    registration = decode({"platform": "apns", "token": "AB" * 32, "bundle": "fr.ville.alertes"})
    assert registration.token == "AB" * 32 and registration.bundle == "fr.ville.alertes"
    assert decode({"platform": "fcm", "token": "t" * 152}).token == "t" * 152


def test_a_location_is_whole_or_forgotten() -> None:
    assert decode({}, LocationRequest).lat is None
    forget = decode({"lat": None, "lon": None, "nearby": False}, LocationRequest)
    assert forget.lat is None and "nearby" in forget.model_fields_set
    for body, missing in (({"lat": 45.4}, "lon"), ({"lon": 4.39, "lat": None}, "lat")):
        error = refusal(body, LocationRequest)
        assert (error.code, error.field) == ("input.required", missing)


def test_station_and_commune_searches() -> None:
    assert StationSearch.model_validate({"q": "  étienne "}).q == "étienne"
    with pytest.raises(ValueError, match="public.lat_lon_together"):
        StationSearch.model_validate({"lat": "45.4"})
    assert CommuneSearch.model_validate({"q": " st "}).q == "st"
    for q in (" a ", "a\x00b"):
        with pytest.raises(ValueError):
            CommuneSearch.model_validate({"q": q})


def test_the_published_registration_is_one_object_per_platform() -> None:
    schema = DeviceRegistration.model_json_schema()
    variants = {v["properties"]["platform"]["const"]: v for v in schema["oneOf"]}
    assert set(variants) == {"webpush", "apns", "fcm"}
    assert variants["webpush"]["required"] == ["platform", "subscription"]
    assert "token" not in variants["webpush"]["properties"] and "bundle" not in variants["fcm"]["properties"]
    assert all(v["additionalProperties"] is False for v in variants.values())
    subscription = schema["$defs"]["WebPushSubscription"]
    assert subscription["required"] == ["endpoint", "keys"] and "default" not in subscription["properties"]["keys"]


def test_a_new_device_links_to_every_operation_on_it() -> None:
    from app.main import api_document

    document = api_document()
    on_a_device = {entry["operationId"] for path, methods in document["paths"].items() if "{device_id}" in path
                   for entry in methods.values()}
    for status in ("200", "201"):
        links = document["paths"]["/api/v1/devices"]["post"]["responses"][status]["links"]
        assert {link["operationId"] for link in links.values()} == on_a_device
        assert all(link["parameters"] == {"device_id": "$response.body#/id"} for link in links.values())
