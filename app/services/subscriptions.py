"""Checks where a device wants its pushes (Web Push subscription, APNs or FCM token) before any is sent."""

from __future__ import annotations

import base64
import binascii
import fnmatch
import ipaddress
import re
from typing import Any
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric import ec

from app.db.devices import PushAddress
from app.errors import InvalidInput
from app.settings import Settings
from app.validation import get_str, reject_unknown, require_object

_LOOPBACK_NAMES = {"localhost"}
_BASE64URL = re.compile(r"^[A-Za-z0-9_-]+={0,2}$")


_APNS_TOKEN = re.compile(r"^(?:[0-9a-f]{2}){32,100}$")
_FCM_TOKEN = re.compile(r"^[A-Za-z0-9_:-]{32,4096}$")
_BUNDLE_ID = re.compile(r"^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")
DEVICE_FIELDS = {"webpush": {"subscription"}, "apns": {"token", "bundle"}, "fcm": {"token"}}


def _b64url(value: str, field: str) -> bytes:
    if not _BASE64URL.match(value):
        raise InvalidInput(f"{field} must be base64url-encoded (letters, digits, - and _)", field)
    try:
        return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError):
        raise InvalidInput(f"{field} must be base64url-encoded", field) from None


def _is_loopback(host: str) -> bool:
    if host in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_endpoint(endpoint: str, settings: Settings, field: str) -> str:
    try:
        parts = urlsplit(endpoint)
        port = parts.port
    except ValueError:
        raise InvalidInput(f"{field} is not a valid URL", field) from None
    host = (parts.hostname or "").lower()
    if not host:
        raise InvalidInput(f"{field} must be an absolute URL with a host", field)
    if parts.username or parts.password:
        raise InvalidInput(f"{field} must not contain a user name or password", field)
    if settings.push_allow_loopback and _is_loopback(host) and parts.scheme in ("http", "https"):
        return endpoint
    if parts.scheme != "https":
        raise InvalidInput(f"{field} must use https (got {parts.scheme or 'no scheme'})", field)
    if port not in (None, 443):
        raise InvalidInput(f"{field} must use the standard https port", field)
    if not any(fnmatch.fnmatchcase(host, pattern) for pattern in settings.push_hosts):
        raise InvalidInput(
            f"{field}: {host} is not a known push service; accepted: "
            + ", ".join(settings.push_hosts),
            field,
        )
    return endpoint


def parse_push_address(body: dict[str, Any], platform: str, settings: Settings) -> PushAddress:
    if platform == "webpush":
        return parse_webpush_subscription(body.get("subscription"), settings)
    channel = {"apns": "APNs (iOS)", "fcm": "FCM (Android)"}[platform]
    if platform not in settings.configured_channels():
        raise InvalidInput(
            f"this Tocsin server is not set up for {channel} delivery, so it cannot register "
            f"this device; its administrator has to configure {channel} first", "platform",
        )
    if platform == "apns":
        return _parse_apns(body, settings)
    token = get_str(body, "token", "token", max_len=4096)
    assert token is not None
    if not _FCM_TOKEN.match(token):
        raise InvalidInput(
            "token must be the FCM registration token the app got from Firebase "
            "(32 to 4096 letters, digits, '_', '-' or ':')", "token",
        )
    return PushAddress("fcm", token)


def _parse_apns(body: dict[str, Any], settings: Settings) -> PushAddress:
    token = get_str(body, "token", "token", max_len=200)
    assert token is not None
    token = token.lower()
    if not _APNS_TOKEN.match(token):
        raise InvalidInput(
            "token must be the APNs device token in hexadecimal (64 characters 0-9 a-f for "
            "today's iPhones, an even number from 64 to 200)", "token",
        )
    bundle = get_str(body, "bundle", "bundle", required=False, max_len=155)
    if bundle is not None:
        if not _BUNDLE_ID.match(bundle):
            raise InvalidInput(f"bundle must be an app bundle id such as 'fr.ville.alertes' (got {bundle!r})",
                               "bundle")
        if bundle not in settings.apns_topics:
            raise InvalidInput(
                f"bundle {bundle!r} is not an app this server sends to; it sends to: "
                + ", ".join(settings.apns_topics), "bundle",
            )
        if bundle == settings.apns_topics[0]:
            bundle = None  # the default topic: stays right if the administrator renames it
    return PushAddress("apns", token, apns_topic=bundle)


def parse_webpush_subscription(
    data: Any, settings: Settings, field: str = "subscription"
) -> PushAddress:
    data = require_object(data, field)
    reject_unknown(data, {"endpoint", "keys", "expirationTime"}, field)
    endpoint = get_str(data, "endpoint", f"{field}.endpoint", max_len=2048)
    assert endpoint is not None
    check_endpoint(endpoint, settings, f"{field}.endpoint")
    keys = require_object(data.get("keys"), f"{field}.keys")
    p256dh = get_str(keys, "p256dh", f"{field}.keys.p256dh", max_len=200)
    auth = get_str(keys, "auth", f"{field}.keys.auth", max_len=100)
    assert p256dh is not None and auth is not None
    raw_key = _b64url(p256dh, f"{field}.keys.p256dh")
    if len(raw_key) != 65 or raw_key[0] != 4:
        raise InvalidInput(
            f"{field}.keys.p256dh must be an uncompressed P-256 public key (65 bytes)",
            f"{field}.keys.p256dh",
        )
    try:
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), raw_key)
    except ValueError:
        raise InvalidInput(
            f"{field}.keys.p256dh is not a point on the P-256 curve", f"{field}.keys.p256dh"
        ) from None
    if len(_b64url(auth, f"{field}.keys.auth")) != 16:
        raise InvalidInput(f"{field}.keys.auth must be 16 bytes", f"{field}.keys.auth")
    return PushAddress("webpush", endpoint, p256dh, auth)
