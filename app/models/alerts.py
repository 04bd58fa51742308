"""An operator's alert: preview its reach, send it, read it, and its life afterwards (edit or withdraw
before it goes, approval by a second operator, update and cancel once sent).

The rules a request can be held to on its own are here (lengths, vocabularies, the zone's geometry,
dates with a time zone, template blanks); those that need the station, the clock or the alert
being changed are in app/services/alerts.py and app/services/lifecycle.py.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Literal, Self, TypeVar

from pydantic import (
    AfterValidator,
    BeforeValidator,
    ConfigDict,
    Field,
    JsonValue,
    WithJsonSchema,
    model_validator,
)
from pydantic.config import JsonDict
from pydantic_core import PydanticCustomError

from app.alert_templates import unfilled_blanks
from app.alert_texts import normalise_language
from app.contract import Body, Reply
from app.models.zones import ZONE_SCHEMA, Zone
from app.vocab import (
    BODY_MAX,
    TITLE_MAX,
    AlertState,
    Audience,
    CancelReason,
    Category,
    MsgType,
    Severity,
    Status,
)

MIN_LIFETIME_S = 60
MAX_LIFETIME_S = 7 * 24 * 3600
MAX_LANGUAGES = 8
CONTENT_HASH_MAX = 64
_LANGUAGE = re.compile(r"^[a-z]{2,3}$")
E = TypeVar("E", bound=StrEnum)


# ---------------------------------------------------------------------------------------------
# Pieces


def _any_case(vocabulary: type[E]) -> Callable[[object], object]:
    """The API takes CAP's words in any letter case ("severe", "SEVERE")."""

    def find(raw: object) -> object:
        if isinstance(raw, str):
            word = raw.strip().lower()
            for member in vocabulary:
                if member.value.lower() == word:
                    return member
        return raw  # refused by the enum, naming the choices

    return find


def _no_blanks(text: str) -> str:
    """A template's blanks ([rue], [date]) must be filled in before sending."""
    if blanks := unfilled_blanks(text):
        raise PydanticCustomError("alert.unfilled_blanks", "fill in the template's blanks",
                                  {"blanks": ", ".join(blanks)})
    return text


def language_code(raw: object, field: str | None = None) -> str:
    """'fr', 'FR', 'fr-FR' and 'fr_FR' are the language fr."""
    if not isinstance(raw, str) or not _LANGUAGE.match(normalise_language(raw)):
        context: dict[str, object] = {"got": repr(raw)}
        if field is not None:
            context["field"] = field
        raise PydanticCustomError("alert.bad_language", "not a language code", context)
    return normalise_language(raw)


def _moment(raw: object) -> object:
    """A date and time with its time zone, as ISO 8601 (what Python reads: 2026-11-21T18:00:00+01:00,
    2026-11-21 18:00Z…)."""
    if isinstance(raw, datetime):
        return raw
    if not isinstance(raw, str):
        raise PydanticCustomError("input.not_a_date_time", "not a date and time", {"got": repr(raw)[:60]})
    try:
        moment = datetime.fromisoformat(raw.strip())
    except ValueError:
        raise PydanticCustomError("input.not_a_date_time", "not a date and time", {"got": repr(raw)[:60]}) from None
    if moment.tzinfo is None:
        raise PydanticCustomError("input.needs_time_zone", "a date and time needs its time zone")
    return moment


def _languages(texts: dict[str, AlertText]) -> dict[str, AlertText]:
    """The texts' keys as language codes, each language once."""
    if not 1 <= len(texts) <= MAX_LANGUAGES:
        raise PydanticCustomError("alert.language_count", "1 to 8 languages", {"field": "texts", "max": MAX_LANGUAGES})
    found: dict[str, AlertText] = {}
    for code, text in texts.items():
        language = language_code(code, "texts")
        if language in found:
            raise PydanticCustomError("alert.language_twice", "a language twice", {"field": "texts", "language": language})
        found[language] = text
    return found


NO_NUL = r"^[^\x00]*$"  # PostgreSQL's text cannot hold NUL
Title = Annotated[str, Field(min_length=1, max_length=TITLE_MAX, pattern=NO_NUL,
                             description="what a lock screen shows first"), AfterValidator(_no_blanks)]
Words = Annotated[str, Field(min_length=1, max_length=BODY_MAX, pattern=NO_NUL), AfterValidator(_no_blanks)]
# fr, FR, fr-FR, fr_FR… are the language fr
LANGUAGE_PATTERN = "^[A-Za-z]{2,3}([-_].*)?$"
Language = Annotated[str, BeforeValidator(language_code),
                     Field(description="a language code: fr, en… (fr-FR is taken as fr)",
                           json_schema_extra={"pattern": LANGUAGE_PATTERN})]
Moment = Annotated[datetime, BeforeValidator(_moment),
                   Field(description="ISO 8601 with a time zone, such as 2026-11-21T18:00:00+01:00")]
# bounds on the field itself (not inside `| None`), so that a refusal names both
Lifetime = Annotated[float | None, Field(ge=MIN_LIFETIME_S, le=MAX_LIFETIME_S,
                                         description="seconds from when the alert goes out (the default: a day)")]


class AlertText(Body):
    """An alert's words in one language."""

    title: Title
    body: Words


Texts = Annotated[dict[str, AlertText], AfterValidator(_languages),
                  Field(description="the words in each language, by language code (1 to 8 languages)",
                        json_schema_extra={"minProperties": 1, "maxProperties": MAX_LANGUAGES,
                                           "propertyNames": {"pattern": LANGUAGE_PATTERN}})]


_STRING: JsonDict = {"type": "string"}
_NULL: JsonDict = {"type": "null"}
_OBJECT: JsonDict = {"type": "object"}
# What the words may be (null is the same as left out): title and body (in `language`, else the
# station's), and/or texts per language.
_TITLE_AND_BODY: JsonDict = {"required": ["title", "body"], "properties": {"title": _STRING, "body": _STRING}}
_TEXTS_ONLY: JsonDict = {"required": ["texts"], "properties": {"texts": _OBJECT, "title": _NULL, "body": _NULL}}
_NO_WORDS: JsonDict = {"properties": {"title": _NULL, "body": _NULL, "texts": _NULL}}
# expires_in or expires_at, not both
_ONE_EXPIRY: JsonDict = {"not": {"required": ["expires_in", "expires_at"],
                       "properties": {"expires_in": {"type": "number"}, "expires_at": _STRING}}}
# everyone in an area: a zone
_EVERYONE_IN_A_ZONE: JsonDict = {"if": {"required": ["audience"], "properties": {"audience": {"const": "everyone"}}},
                       "then": {"required": ["zone"], "properties": {"zone": _OBJECT}}}


def _title_and_body(words: AlertWords) -> None:
    """Words given as title and body (in `language`, else the station's) need both."""
    if words.title is not None or words.body is not None or words.texts is None:
        for name in ("title", "body"):
            if getattr(words, name) is None:
                raise PydanticCustomError("input.required", "required", {"field": name})


# ---------------------------------------------------------------------------------------------
# Requests


class AlertWords(Body):
    """The words: `title` and `body` in one language (`language`, by default the station's), and/or
    `texts` in several; `language` then names the main one."""

    title: Title | None = None
    body: Words | None = None
    texts: Texts | None = None
    language: Language | None = None

    def has_words(self) -> bool:
        return self.title is not None or self.body is not None or self.texts is not None


class AlertSettings(Body):
    """Everything but the words: who gets it, where, and when."""

    status: Annotated[Status | None, BeforeValidator(_any_case(Status)),
                      Field(description="actual (the default): a live alert; exercise or test: only the "
                                        "station's test devices get it, framed as such")] = None
    severity: Annotated[Severity | None, BeforeValidator(_any_case(Severity))] = None
    category: Annotated[Category | None, BeforeValidator(_any_case(Category))] = None
    audience: Annotated[Audience | None, BeforeValidator(_any_case(Audience)),
                        Field(description="followers (the default), or everyone in the zone (municipalities)")] = None
    zone: Zone | None = None
    expires_in: Lifetime = None
    expires_at: Moment | None = None
    send_at: Annotated[Moment | None, Field(description="later, within 60 days (the default: now)")] = None

    @model_validator(mode="after")
    def _one_expiry(self) -> Self:
        if self.expires_in is not None and self.expires_at is not None:
            raise PydanticCustomError("alert.two_expiries", "expires_in or expires_at", {"field": "expires_in"})
        return self


class AlertFields(AlertSettings, AlertWords):
    """An update: new words (always), and whatever else changes; the rest stays as it was."""

    model_config = ConfigDict(json_schema_extra={"allOf": [{"anyOf": [_TITLE_AND_BODY, _TEXTS_ONLY]}, _ONE_EXPIRY]})

    @model_validator(mode="after")
    def _words_given(self) -> Self:
        _title_and_body(self)
        return self


class NewAlert(AlertFields):
    """An alert to send, or the new content of one not sent yet (its status cannot change)."""

    model_config = ConfigDict(json_schema_extra={"allOf": [{"anyOf": [_TITLE_AND_BODY, _TEXTS_ONLY]}, _ONE_EXPIRY,
                                                           _EVERYONE_IN_A_ZONE]})

    severity: Annotated[Severity, BeforeValidator(_any_case(Severity))]
    category: Annotated[Category, BeforeValidator(_any_case(Category))]


class AlertDraft(AlertSettings):
    """Who an alert would reach: only the zone, the audience and the status decide (and the
    category, for followers who chose theirs). Words may be sent as they are in the draft: they
    are not read."""

    model_config = ConfigDict(json_schema_extra={"allOf": [_ONE_EXPIRY, _EVERYONE_IN_A_ZONE]})

    title: JsonValue = None
    body: JsonValue = None
    texts: JsonValue = None
    language: JsonValue = None


class Approval(Body):
    content_hash: Annotated[str, Field(min_length=1, max_length=CONTENT_HASH_MAX,
                                       description="the content_hash of the alert as the approver read it")]


class CancelRequest(AlertWords):
    """A cancel: the pre-written words for `reason` (in the alert's languages) unless words are given."""

    model_config = ConfigDict(json_schema_extra={"anyOf": [_TITLE_AND_BODY, _TEXTS_ONLY, _NO_WORDS]})

    reason: Annotated[CancelReason | None, BeforeValidator(_any_case(CancelReason)),
                      Field(description="error (the default): sent by mistake; all_clear: the danger is over")] = None

    @model_validator(mode="after")
    def _words_given(self) -> Self:
        if self.has_words():
            _title_and_body(self)
        return self


# ---------------------------------------------------------------------------------------------
# Responses

Count = Annotated[int | Literal["<10"], Field(description="fewer than 10 devices are not counted exactly")]


class Reach(Reply):
    devices: Count
    by_channel: dict[str, Count]
    by_locale: dict[str, Count]


class AlertAccepted(Reply):
    id: uuid.UUID
    state: AlertState  # pending, scheduled or awaiting_approval
    status_url: str


class AlertStateNow(Reply):
    id: uuid.UUID
    state: AlertState


class TextOut(Reply):
    title: str
    body: str


class ApprovalStatus(Reply):
    requested_at: datetime | None
    expires_at: datetime | None
    approved_by: str | None
    approved_at: datetime | None
    can_approve: bool  # may the operator reading it approve it?


class Deliveries(Reply):
    total: int
    by_status: dict[str, int]
    by_channel: dict[str, dict[str, int]]  # channel → delivery status → count


class AlertDetail(Reply):
    id: uuid.UUID
    station: str
    status: Status
    msg_type: MsgType
    references: uuid.UUID | None  # the message an update or a cancel replaces
    thread: uuid.UUID  # the first alert of the story
    replaced_by: uuid.UUID | None
    title: str
    body: str
    language: str
    texts: dict[str, TextOut]
    severity: Severity
    category: Category
    audience: Audience
    state: AlertState
    zone: Annotated[dict[str, object] | None, WithJsonSchema({"anyOf": [ZONE_SCHEMA, {"type": "null"}]})]
    created_at: datetime
    send_at: datetime | None
    expires_at: datetime
    fanned_out_at: datetime | None
    completed_at: datetime | None
    author: str | None
    content_hash: str | None  # hex; what an approver approves
    approval: ApprovalStatus
    cancel_texts: dict[CancelReason, dict[str, TextOut]] | None  # the pre-written cancels, per language
    deliveries: Deliveries
