"""A device's requests and answers: registration (a Web Push subscription, an APNs or an FCM token),
its places, follows and current position, what the server keeps about it, its self-test.

Rules that need no settings live here (a key on the P-256 curve, a token's form, a language tag);
those that depend on the server's settings (which push services and apps it sends to) are checked
by app/services/subscriptions.py.
"""

from __future__ import annotations

import base64
import binascii
import re
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any, Literal, Self

from cryptography.hazmat.primitives.asymmetric import ec
from pydantic import AfterValidator, BeforeValidator, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from app.contract import Body, Reply
from app.models.public import PublicAlert
from app.vocab import Category, Channel, PlaceKind

MAX_PLACES = 10
MAX_FOLLOWS = 200
MAX_LAT = 85.0  # Web Mercator maps (the app's and the console's) stop at ±85°
MAX_LON = 180.0
DEFAULT_LOCALE = "fr"

LOCALE = re.compile(r"^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$")
APNS_TOKEN = re.compile(r"^(?:[0-9a-fA-F]{2}){32,100}$")
FCM_TOKEN = re.compile(r"^[A-Za-z0-9_:-]{32,4096}$")
BUNDLE_ID = re.compile(r"^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")
_BASE64URL = re.compile(r"^[A-Za-z0-9_-]+={0,2}$")

# The fields each platform's registration takes, besides the common ones.
COMMON_FIELDS = frozenset({"platform", "locale", "places", "follow", "nearby", "position"})
PLATFORM_FIELDS = {Channel.WEBPUSH: frozenset({"subscription"}), Channel.APNS: frozenset({"token", "bundle"}),
                   Channel.FCM: frozenset({"token"})}


def _refuse(code: str, field: str | None = None, **values: Any) -> PydanticCustomError:
    """A refusal from a validator: its code is looked up in the catalogue; `field` replaces the
    path pydantic gives (for rules of the whole object)."""
    context = {**values, **({"field": field} if field else {})}
    return PydanticCustomError(code, code, context)


def _null_is(default: Callable[[], object], published: Any = None) -> BeforeValidator:
    """null means the default, as an absent field does; words are trimmed before they are looked up.
    `published`: the field's type with null, so that the document says null is taken."""
    def before(value: object) -> object:
        if value is None:
            return default()
        return value.strip() if isinstance(value, str) else value
    if published is None:
        return BeforeValidator(before)
    return BeforeValidator(before, json_schema_input_type=published)


# ---------------------------------------------------------------------------------------------
# Positions and places

Latitude = Annotated[float, Field(ge=-MAX_LAT, le=MAX_LAT, description="degrees north (WGS 84)")]
Longitude = Annotated[float, Field(ge=-MAX_LON, le=MAX_LON, description="degrees east (WGS 84)")]


class Position(Body):
    """Where the device is now, for "alerts around me"; stored snapped to a ~100 m grid. Other
    keys (such as a browser's accuracy) are ignored."""

    model_config = ConfigDict(extra="ignore")

    lat: Latitude
    lon: Longitude


class Place(Body):
    """A saved place (stored snapped to a ~100 m grid)."""

    kind: Annotated[PlaceKind, _null_is(lambda: PlaceKind.HOME, PlaceKind | None)] = PlaceKind.HOME
    lat: Latitude
    lon: Longitude


Places = Annotated[list[Place], _null_is(list, list[Place] | None), Field(max_length=MAX_PLACES)]


# ---------------------------------------------------------------------------------------------
# Follows


class FollowChoice(Body):
    station: Annotated[str, Field(min_length=1, description="the station's short name, e.g. saint-etienne")]
    categories: Annotated[list[Category] | None, Field(
        description="the CAP categories to receive; absent or null: all")] = None


def _follow_item(value: object) -> object:
    """A station name is short for {"station": name} (every category)."""
    if isinstance(value, str) and value.strip():
        return {"station": value}
    if isinstance(value, dict):
        return value
    raise _refuse("device.not_a_station_name")


StationName = Annotated[str, Field(min_length=1)]
Follow = Annotated[FollowChoice, BeforeValidator(_follow_item, json_schema_input_type=StationName | FollowChoice)]
Follows = Annotated[list[Follow], _null_is(list, list[Follow] | None), Field(max_length=MAX_FOLLOWS)]


# ---------------------------------------------------------------------------------------------
# Registration


def _base64url(value: str) -> bytes:
    if not _BASE64URL.match(value):
        raise _refuse("subscription.not_base64url")
    try:
        return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError):
        raise _refuse("subscription.not_base64url") from None


def _p256dh(value: str) -> str:
    raw = _base64url(value)
    if len(raw) != 65 or raw[0] != 4:
        raise _refuse("subscription.p256dh_not_uncompressed")
    try:
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), raw)
    except ValueError:
        raise _refuse("subscription.p256dh_not_on_curve") from None
    return value


def _auth_secret(value: str) -> str:
    if len(_base64url(value)) != 16:
        raise _refuse("subscription.auth_not_16_bytes")
    return value


class WebPushKeys(Body):
    """PushSubscription.toJSON().keys; other keys a browser may add are ignored, as they always were."""

    model_config = ConfigDict(extra="ignore")

    # the published patterns are the forms (65 bytes starting with 04, 16 bytes); the checks above
    # say what is wrong in words, and that the key is a point on the curve
    p256dh: Annotated[str, Field(max_length=200, description="the browser's P-256 public key, base64url",
                                 json_schema_extra={"pattern": "^B[A-P][A-Za-z0-9_-]{85}=?$"}),
                      AfterValidator(_p256dh)]
    auth: Annotated[str, Field(max_length=100, description="the 16-byte authentication secret, base64url",
                               json_schema_extra={"pattern": "^[A-Za-z0-9_-]{21}[AQgw](==)?$"}),
                    AfterValidator(_auth_secret)]


def _keys_given(value: object) -> object:
    if value is None:
        raise _refuse("subscription.keys_missing")
    return value


def _keys_required(schema: dict[str, Any]) -> None:
    schema["required"] = sorted({*schema.get("required", ()), "keys"})
    schema["properties"]["keys"].pop("default", None)


class WebPushSubscription(Body):
    """What PushSubscription.toJSON() gives in the browser."""

    model_config = ConfigDict(json_schema_extra=_keys_required)

    endpoint: Annotated[str, Field(min_length=1, max_length=2048,
                                   description="https URL of a known push service")]
    # required (refused with its own words when absent: it must be an object)
    keys: Annotated[WebPushKeys, BeforeValidator(_keys_given), Field(default=None, validate_default=True)]
    expirationTime: float | None = None


def _language_tag(value: str) -> str:
    if not LOCALE.match(value):
        raise _refuse("device.bad_locale", got=repr(value))
    language, _, rest = value.partition("-")
    return language.lower() + ("-" + rest if rest else "")


Locale = Annotated[str, _null_is(lambda: DEFAULT_LOCALE, str | None),
                   Field(max_length=35, description="the language of its notifications (BCP 47), e.g. fr, en-GB",
                         json_schema_extra={"pattern": LOCALE.pattern}),
                   AfterValidator(_language_tag)]


def _one_schema_per_platform(schema: dict[str, Any]) -> None:
    """The registration as published: one object per platform, with the fields that go together
    and the form of each token, and no position with nearby: false (the rules below, in JSON
    Schema), so that a client or a contract fuzzer knows what is accepted."""
    properties: dict[str, Any] = schema.pop("properties")
    for key in ("required", "additionalProperties", "type"):
        schema.pop(key, None)
    common = {name: value for name, value in properties.items() if name in COMMON_FIELDS - {"platform"}}
    token = {key: value for key, value in properties["token"].items() if key not in ("anyOf", "default")}
    own: dict[Channel, dict[str, Any]] = {
        Channel.WEBPUSH: {"subscription": {"$ref": properties["subscription"]["anyOf"][0]["$ref"]}},
        Channel.APNS: {"token": {**token, "type": "string", "pattern": APNS_TOKEN.pattern},
                       "bundle": properties["bundle"]},
        Channel.FCM: {"token": {**token, "type": "string", "minLength": 32, "maxLength": 4096,
                                "pattern": FCM_TOKEN.pattern}},
    }
    schema["oneOf"] = [
        {"type": "object", "title": f"{platform.value} registration",
         "properties": {"platform": {"const": platform.value}, **fields, **common},
         "required": ["platform", "subscription" if platform is Channel.WEBPUSH else "token"],
         "additionalProperties": False}
        for platform, fields in own.items()]
    schema["not"] = {"required": ["nearby", "position"],
                     "properties": {"nearby": {"const": False}, "position": {"type": "object"}}}


class DeviceRegistration(Body):
    """One device: where its pushes go (webpush: `subscription`; apns: `token` and optionally
    `bundle`; fcm: `token`), its language, places, follows and "alerts around me". Registering the
    same subscription or token again updates that device and gives it a new secret."""

    model_config = ConfigDict(json_schema_extra=_one_schema_per_platform)

    platform: Annotated[Channel, _null_is(lambda: None)]
    subscription: Annotated[WebPushSubscription | None, Field(description="webpush only")] = None
    token: Annotated[str | None, Field(
        min_length=1, max_length=4096,
        description="apns: the device token in hexadecimal; fcm: the registration token")] = None
    bundle: Annotated[str | None, Field(
        max_length=155, description="apns only: the app's bundle id, if not the server's first",
        json_schema_extra={"pattern": BUNDLE_ID.pattern})] = None
    locale: Locale = DEFAULT_LOCALE
    places: Places = Field(default_factory=list)
    follow: Follows = Field(default_factory=list)
    nearby: Annotated[bool | None, Field(
        description="alerts around me; absent or null: true when a position is given")] = None
    position: Position | None = None

    @model_validator(mode="before")
    @classmethod
    def _fields_of_the_platform(cls, data: object) -> object:
        """A field of another platform is an unknown field (a token sent with a subscription…)."""
        if isinstance(data, dict) and isinstance(data.get("platform"), str):
            platform = data["platform"].strip()
            if platform in PLATFORM_FIELDS:
                allowed = COMMON_FIELDS | PLATFORM_FIELDS[Channel(platform)]
                unknown = sorted(set(data) - allowed)
                if unknown:
                    raise _refuse("input.unknown_field", unknown[0], name=unknown[0],
                                  allowed=", ".join(sorted(allowed)))
        return data

    @model_validator(mode="after")
    def _address_of_the_platform(self) -> Self:
        if self.platform is Channel.WEBPUSH:
            if self.subscription is None:
                raise _refuse("input.required", "subscription")
            return self
        if self.token is None:
            raise _refuse("input.required", "token")
        if self.platform is Channel.APNS and not APNS_TOKEN.match(self.token):
            raise _refuse("subscription.bad_apns_token", "token")
        if self.platform is Channel.FCM and not FCM_TOKEN.match(self.token):
            raise _refuse("subscription.bad_fcm_token", "token")
        if self.bundle is not None and not BUNDLE_ID.match(self.bundle):
            raise _refuse("subscription.bad_bundle", "bundle", got=repr(self.bundle))
        return self


class Registered(Reply):
    id: uuid.UUID
    secret: str  # shown once: the device sends it as Authorization: Bearer <secret>


# ---------------------------------------------------------------------------------------------
# Changes


class PlacesRequest(Body):
    places: Annotated[list[Place], Field(max_length=MAX_PLACES, description="an empty list removes every place")]


class PlacesSaved(Reply):
    places: int  # how many


class FollowsRequest(Body):
    follow: Annotated[list[Follow], Field(max_length=MAX_FOLLOWS, description="an empty list unfollows every station")]


class FollowedStation(Reply):
    station: str
    categories: list[Category]


FollowShown = str | FollowedStation  # a station's name alone: every category


class FollowsSaved(Reply):
    follow: list[FollowShown]


def _position_whole_and_wanted(schema: dict[str, Any]) -> None:
    """Published: a number for lat needs a number for lon and the other way round (null is the same
    as absent), and a position does not go with nearby: false."""
    number = {"type": "number"}

    def needs(given: str, other: str) -> dict[str, Any]:
        return {"anyOf": [{"not": {"required": [given]}}, {"properties": {given: {"type": "null"}}},
                          {"required": [other], "properties": {other: number}}]}

    schema["allOf"] = [needs("lat", "lon"), needs("lon", "lat")]
    schema["not"] = {"required": ["lat", "nearby"], "properties": {"nearby": {"const": False}, "lat": number}}


class LocationRequest(Body):
    """Where the device is now: sharing it opts into "alerts around me"; without lat and lon the
    position is forgotten (and `nearby`, if given, is set)."""

    model_config = ConfigDict(json_schema_extra=_position_whole_and_wanted)

    lat: Latitude | None = None
    lon: Longitude | None = None
    nearby: bool | None = None

    @model_validator(mode="after")
    def _both_or_neither(self) -> Self:
        if self.lat is None and self.lon is not None:
            raise _refuse("input.required", "lat")
        if self.lon is None and self.lat is not None:
            raise _refuse("input.required", "lon")
        return self


class LocationSaved(Reply):
    position: Literal["kept", "forgotten"]
    expires_at: datetime | None  # when it will be forgotten


# ---------------------------------------------------------------------------------------------
# Reading


class PlaceShown(Reply):
    kind: PlaceKind
    lon: float
    lat: float


class DeviceRecord(Reply):
    """Everything the server keeps about the device (positions as stored: snapped)."""

    locale: str
    nearby: bool
    position_expires_at: datetime | None
    follow: list[FollowShown]
    places: list[PlaceShown]


class DeviceAlerts(Reply):
    alerts: list[PublicAlert]


class SelfTestQueued(Reply):
    state: Literal["pending"]


class SelfTestResult(Reply):
    state: Literal["pending", "sent", "failed"] | None  # None: never tested
    detail: str | None  # why it failed, in English


class VapidKey(Reply):
    publicKey: str  # the application server key for PushManager.subscribe (base64url)
