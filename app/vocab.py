"""The alert's vocabulary, in one place: the words the API, the database, the workers, the CLI and
both front-ends share (CAP 1.2 words where CAP has them).

Each vocabulary is a `StrEnum`, so a member is also the plain string stored in PostgreSQL and sent
in JSON. `python -m app.vocab` writes the same words as the front-ends' ES module
(app/static/core/vocab.js); a test checks that file is up to date.
"""

from __future__ import annotations

import json
import sys
from enum import StrEnum


class Severity(StrEnum):
    """CAP 1.2 §3.2.2 severity, most to least severe."""

    EXTREME = "Extreme"
    SEVERE = "Severe"
    MODERATE = "Moderate"
    MINOR = "Minor"
    UNKNOWN = "Unknown"


class Category(StrEnum):
    """CAP 1.2 §3.2.2 category, in the order the console offers them."""

    MET = "Met"
    FIRE = "Fire"
    SAFETY = "Safety"
    HEALTH = "Health"
    ENV = "Env"
    TRANSPORT = "Transport"
    INFRA = "Infra"
    GEO = "Geo"
    RESCUE = "Rescue"
    SECURITY = "Security"
    CBRNE = "CBRNE"
    OTHER = "Other"


class Status(StrEnum):
    """An alert's CAP status (lower case in our API): live, or an exercise / a test that only the
    station's test devices get."""

    ACTUAL = "actual"
    EXERCISE = "exercise"
    TEST = "test"


class MsgType(StrEnum):
    """CAP msgType: an update or a cancel refers to the message it replaces."""

    ALERT = "Alert"
    UPDATE = "Update"
    CANCEL = "Cancel"


class Audience(StrEnum):
    FOLLOWERS = "followers"  # followers of the station with a place in the zone
    EVERYONE = "everyone"  # also everyone standing in the zone who opted in (municipalities only)


class AlertState(StrEnum):
    AWAITING_APPROVAL = "awaiting_approval"
    SCHEDULED = "scheduled"
    PENDING = "pending"
    SENDING = "sending"
    COMPLETE = "complete"
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"
    REPLACED = "replaced"
    CANCELLED = "cancelled"


# An alert in one of these states went out (or is going): the public may see it.
SENT_STATES = (AlertState.PENDING, AlertState.SENDING, AlertState.COMPLETE, AlertState.EXPIRED,
               AlertState.REPLACED, AlertState.CANCELLED)


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    GONE = "gone"  # the push service says the subscription or token no longer exists
    FAILED = "failed"
    EXPIRED = "expired"
    REPLACED = "replaced"  # an update or a cancel went out before this delivery did


FINAL_DELIVERY_STATUSES = (DeliveryStatus.SENT, DeliveryStatus.GONE, DeliveryStatus.FAILED,
                           DeliveryStatus.EXPIRED, DeliveryStatus.REPLACED)


class Channel(StrEnum):
    WEBPUSH = "webpush"
    APNS = "apns"
    FCM = "fcm"


class Role(StrEnum):
    ADMIN = "admin"
    PUBLISHER = "publisher"
    APPROVER = "approver"


SEND_ROLES = frozenset({Role.ADMIN, Role.PUBLISHER})
APPROVE_ROLES = frozenset({Role.APPROVER})


class StationKind(StrEnum):
    MUNICIPALITY = "municipality"
    ASSOCIATION = "association"
    INSTITUTION = "institution"


CHILD_STATION_KINDS = (StationKind.ASSOCIATION, StationKind.INSTITUTION)


class PlaceKind(StrEnum):
    HOME = "home"
    WORK = "work"
    SCHOOL = "school"
    OTHER = "other"


class CancelReason(StrEnum):
    ERROR = "error"  # sent by mistake
    ALL_CLEAR = "all_clear"  # the danger is over


# The word that opens and closes every exercise / test, per language (English for the others).
FRAME_WORDS = {
    Status.EXERCISE: {"fr": "EXERCICE", "en": "EXERCISE", "de": "ÜBUNG", "es": "SIMULACRO",
                      "it": "ESERCITAZIONE", "nl": "OEFENING", "pt": "EXERCÍCIO"},
    Status.TEST: {"fr": "TEST", "en": "TEST", "de": "TEST", "es": "PRUEBA", "it": "PROVA", "nl": "TEST",
                  "pt": "TESTE"},
}

# Zones (geo/ checks them; the console's map uses them as drawing limits)
RADIUS_MIN_M = 300
RADIUS_MAX_M = 5000
# Texts
TITLE_MAX = 120
BODY_MAX = 1000
TITLE_RECOMMENDED = 65  # what a lock screen shows without cutting
BODY_RECOMMENDED = 240


def _words(vocabulary: type[StrEnum]) -> list[str]:
    return [member.value for member in vocabulary]


def javascript() -> str:
    """The vocabulary as the front-ends' ES module."""
    constants = {
        "SEVERITIES": _words(Severity),
        "CATEGORIES": _words(Category),
        "STATUSES": _words(Status),
        "MSG_TYPES": _words(MsgType),
        "AUDIENCES": _words(Audience),
        "ALERT_STATES": _words(AlertState),
        "SENT_STATES": [s.value for s in SENT_STATES],
        "DELIVERY_STATUSES": _words(DeliveryStatus),
        "CHANNELS": _words(Channel),
        "ROLES": _words(Role),
        "SEND_ROLES": sorted(r.value for r in SEND_ROLES),
        "APPROVE_ROLES": sorted(r.value for r in APPROVE_ROLES),
        "STATION_KINDS": _words(StationKind),
        "PLACE_KINDS": _words(PlaceKind),
        "CANCEL_REASONS": _words(CancelReason),
        "FRAME_WORDS": {status.value: words for status, words in FRAME_WORDS.items()},
        "RADIUS_MIN": RADIUS_MIN_M,
        "RADIUS_MAX": RADIUS_MAX_M,
        "TITLE_MAX": TITLE_MAX,
        "BODY_MAX": BODY_MAX,
        "TITLE_RECOMMENDED": TITLE_RECOMMENDED,
        "BODY_RECOMMENDED": BODY_RECOMMENDED,
    }
    lines = ["// Generated by `python -m app.vocab > app/static/core/vocab-generated.js` from app/vocab.py:",
             "// the API's words, shared by the console and the resident app. Do not edit by hand.", ""]
    lines += [f"export const {name} = {json.dumps(value, ensure_ascii=False)};" for name, value in constants.items()]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.stdout.write(javascript())
