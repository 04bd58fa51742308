"""Checks where a device wants its pushes (Web Push subscription, APNs or FCM token) against this
server's settings, before any push is sent: which push services it sends to, which channels are
set up, which apps it sends to. The form of keys and tokens is checked when the request is decoded
(app/models/devices.py)."""

from __future__ import annotations

import fnmatch
import ipaddress
from urllib.parse import urlsplit

from app.db.devices import PushAddress
from app.errors import InvalidInput
from app.models.devices import DeviceRegistration, WebPushSubscription
from app.settings import Settings
from app.vocab import Channel

_LOOPBACK_NAMES = {"localhost"}
_CHANNEL_NAMES = {Channel.APNS: "APNs (iOS)", Channel.FCM: "FCM (Android)"}


def _is_loopback(host: str) -> bool:
    if host in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_endpoint(endpoint: str, settings: Settings, field: str) -> str:
    """A Web Push endpoint must be an https URL of a known push service (loopback too, when the
    settings admit it: tests and the demo)."""
    if any(ord(c) < 0x20 or c == "\x7f" for c in endpoint):  # no control character in a URL
        raise InvalidInput("subscription.endpoint_not_a_url", field)
    try:
        parts = urlsplit(endpoint)
        port = parts.port
    except ValueError:
        raise InvalidInput("subscription.endpoint_not_a_url", field) from None
    host = (parts.hostname or "").lower()
    if not host:
        raise InvalidInput("subscription.endpoint_without_host", field)
    if parts.username or parts.password:
        raise InvalidInput("subscription.endpoint_with_credentials", field)
    if settings.push_allow_loopback and _is_loopback(host) and parts.scheme in ("http", "https"):
        return endpoint
    if parts.scheme != "https":
        raise InvalidInput("subscription.endpoint_not_https", field, scheme=parts.scheme or "—")
    if port not in (None, 443):
        raise InvalidInput("subscription.endpoint_port", field)
    if not any(fnmatch.fnmatchcase(host, pattern) for pattern in settings.push_hosts):
        raise InvalidInput("subscription.endpoint_not_allowed", field, host=host,
                           accepted=", ".join(settings.push_hosts))
    return endpoint


def parse_push_address(registration: DeviceRegistration, settings: Settings) -> PushAddress:
    """Where the registered device's pushes go, once the settings admit it."""
    if registration.platform is Channel.WEBPUSH:
        assert registration.subscription is not None  # the model requires it
        return webpush_address(registration.subscription, settings)
    if registration.platform not in settings.configured_channels():
        raise InvalidInput("subscription.channel_not_configured", "platform",
                           channel=_CHANNEL_NAMES[registration.platform])
    assert registration.token is not None  # the model requires it
    if registration.platform is Channel.FCM:
        return PushAddress(Channel.FCM, registration.token)
    bundle = registration.bundle
    if bundle is not None:
        if bundle not in settings.apns_topics:
            raise InvalidInput("subscription.unknown_bundle", "bundle", bundle=bundle,
                               topics=", ".join(settings.apns_topics))
        if bundle == settings.apns_topics[0]:
            bundle = None  # the default topic: stays right if the administrator renames it
    return PushAddress(Channel.APNS, registration.token.lower(), apns_topic=bundle)


def webpush_address(subscription: WebPushSubscription, settings: Settings,
                    field: str = "subscription") -> PushAddress:
    check_endpoint(subscription.endpoint, settings, f"{field}.endpoint")
    return PushAddress(Channel.WEBPUSH, subscription.endpoint, subscription.keys.p256dh, subscription.keys.auth)
