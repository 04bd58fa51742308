"""Decoding cost of the two busiest request bodies — a device registration and a new alert — with
the API's own pydantic models (app/models/), against json.loads alone (what the API did before it
had models) and msgspec structs of the same shape (the other library we considered; README
"Choices").

    .venv/bin/python bench/decode.py        # msgspec: pip install msgspec (not a dependency)

Prints µs per decode, best of 5 runs of 20,000. The models also validate the zone (a circle's
geometry) and the Web Push keys (a P-256 point), which json.loads and the msgspec structs do not:
the "pydantic, our models" row is what a request really pays. A circle zone adds its geometry
check (geo.parse_zone, ~10 ms of pure-Python distances; the same code and cost as before the
models), shown on its own row.
"""

# no `from __future__ import annotations`: msgspec reads the local structs' annotations at run time
import base64
import json
import timeit
from collections.abc import Callable
from typing import Annotated, Any, Literal

from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from app.contract import parse_body
from app.models.alerts import NewAlert
from app.models.devices import DeviceRegistration


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


_POINT = ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(
    Encoding.X962, PublicFormat.UncompressedPoint)
REGISTRATION = json.dumps({
    "platform": "webpush", "subscription": {"endpoint": "https://fcm.googleapis.com/fcm/send/" + "a" * 120,
                     "keys": {"p256dh": _b64(_POINT), "auth": _b64(b"0123456789abcdef")}},
    "locale": "fr-FR", "places": [{"kind": "home", "lat": 45.4397, "lon": 4.3872}],
    "follow": ["saint-etienne"],
}).encode()
ALERT = json.dumps({
    "texts": {"fr": {"title": "Crue du Furan", "body": "La crue du Furan monte. " * 12},
              "en": {"title": "Furan flood", "body": "The Furan is rising. " * 12}},
    "severity": "Severe", "category": "Met", "audience": "everyone",
    "zone": {"type": "Circle", "center": [4.3872, 45.4397], "radius_m": 1200}, "expires_in": 21600,
}).encode()
# the same alert for the whole commune's followers: no zone, so no geometry to check
ALERT_NO_ZONE = json.dumps({k: v for k, v in json.loads(ALERT).items() if k not in ("zone", "audience")}).encode()


def per_call_us(call: Callable[[], Any], number: int = 20_000) -> float:
    return min(timeit.repeat(call, number=number, repeat=5)) / number * 1e6


def msgspec_decoders() -> tuple[Callable[[bytes], Any], Callable[[bytes], Any]] | None:
    try:
        import msgspec
    except ImportError:
        return None

    class Keys(msgspec.Struct, forbid_unknown_fields=True):
        p256dh: Annotated[str, msgspec.Meta(max_length=200)]
        auth: Annotated[str, msgspec.Meta(max_length=100)]

    class Subscription(msgspec.Struct, forbid_unknown_fields=True):
        endpoint: Annotated[str, msgspec.Meta(max_length=2000)]
        keys: Keys

    class Place(msgspec.Struct, forbid_unknown_fields=True):
        lat: Annotated[float, msgspec.Meta(ge=-85, le=85)]
        lon: Annotated[float, msgspec.Meta(ge=-180, le=180)]
        kind: Literal["home", "work", "school", "other"] = "home"

    class Registration(msgspec.Struct, forbid_unknown_fields=True):
        platform: Literal["webpush", "apns", "fcm"]
        subscription: Subscription
        locale: Annotated[str, msgspec.Meta(max_length=35)] | None = None
        places: Annotated[list[Place], msgspec.Meta(max_length=10)] = []
        follow: Annotated[list[str], msgspec.Meta(max_length=50)] = []

    class Text(msgspec.Struct, forbid_unknown_fields=True):
        title: Annotated[str, msgspec.Meta(min_length=1, max_length=120)]
        body: Annotated[str, msgspec.Meta(min_length=1, max_length=1000)]

    class Circle(msgspec.Struct, forbid_unknown_fields=True):
        type: Literal["Circle"]
        center: tuple[float, float]
        radius_m: Annotated[float, msgspec.Meta(ge=300, le=5000)]

    class Alert(msgspec.Struct, forbid_unknown_fields=True):
        texts: dict[str, Text]
        severity: Literal["Extreme", "Severe", "Moderate", "Minor", "Unknown"]
        category: str
        audience: Literal["followers", "everyone"] = "followers"
        zone: Circle | None = None
        expires_in: Annotated[int, msgspec.Meta(ge=60, le=604800)] | None = None

    return msgspec.json.Decoder(Registration).decode, msgspec.json.Decoder(Alert).decode


def main() -> None:
    rows: list[tuple[str, float, float]] = [
        ("json.loads alone", per_call_us(lambda: json.loads(REGISTRATION)), per_call_us(lambda: json.loads(ALERT))),
        ("pydantic, our models", per_call_us(lambda: parse_body(REGISTRATION, DeviceRegistration), 5_000),
         per_call_us(lambda: parse_body(ALERT_NO_ZONE, NewAlert), 5_000)),
        ("  … with a 1.2 km circle", float("nan"), per_call_us(lambda: parse_body(ALERT, NewAlert), 50)),
    ]
    decoders = msgspec_decoders()
    if decoders is not None:
        registration, alert = decoders
        rows.append(("msgspec, same shapes", per_call_us(lambda: registration(REGISTRATION)),
                     per_call_us(lambda: alert(ALERT))))
    print(f"{'':24} {'registration':>14} {'new alert':>12}   (µs per decode)")
    for name, reg_us, alert_us in rows:
        print(f"{name:24} {reg_us:14.1f} {alert_us:12.1f}".replace("nan", "  -"))


if __name__ == "__main__":
    main()
