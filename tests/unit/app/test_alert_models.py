"""An alert request decoded (app/models/alerts.py) and held to the rules that need the station's
language and the clock (app/services/alerts.py alert_request): no database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.contract import parse_body
from app.errors import InvalidInput
from app.models.alerts import AlertDraft, AlertFields, CancelRequest, NewAlert
from app.services.alerts import alert_request
from app.vocab import Audience, Category, Severity, Status

NOW = datetime(2026, 11, 21, 17, 0, tzinfo=UTC)
BASE = b'"severity": "Minor", "category": "Other"'


def _new(fields: str) -> NewAlert:
    return parse_body(b"{" + fields.encode() + b", " + BASE + b"}", NewAlert)


def _refusal(raw: bytes, model: type[AlertFields | CancelRequest] = NewAlert) -> InvalidInput:
    with pytest.raises(InvalidInput) as refused:
        parse_body(raw, model)
    return refused.value


def test_words_and_vocabularies_in_any_letter_case() -> None:
    alert = parse_body(b'{"texts": {"FR-fr": {"title": " Crue ", "body": "Montez."}}, "language": "fr_FR",'
                       b' "severity": "SEVERE", "category": "met", "status": "Exercise", "audience": "Everyone"}',
                       NewAlert)
    assert alert.texts is not None and list(alert.texts) == ["fr"] and alert.texts["fr"].title == "Crue"
    assert (alert.language, alert.severity, alert.category, alert.status, alert.audience) == (
        "fr", Severity.SEVERE, Category.MET, Status.EXERCISE, Audience.EVERYONE)


@pytest.mark.parametrize(("raw", "code", "field", "english"), [
    (b'{"body": "b", ' + BASE + b"}", "input.required", "title", "title is required"),
    ('{"title": "Route barrée", "body": "La [rue] est fermée.", '.encode() + BASE + b"}", "alert.unfilled_blanks",
     "body", "fill in the template's blanks before sending: [rue]"),
    (b'{"texts": {"fr": {"title": "a", "body": "b"}, "FR": {"title": "c", "body": "d"}}, ' + BASE + b"}",
     "alert.language_twice", "texts", "texts gives the 'fr' text twice"),
    ('{"texts": {"français": {"title": "a", "body": "b"}}, '.encode() + BASE + b"}", "alert.bad_language", "texts",
     "texts must be a language code such as 'fr' or 'en' (got 'français')"),
    (b'{"texts": {}, ' + BASE + b"}", "alert.language_count", "texts", "texts must hold 1 to 8 languages"),
    (b'{"title": "a\\u0000b", "body": "b", ' + BASE + b"}", "input.bad_format", "title",  # PostgreSQL's text: no NUL
     "title does not have the expected form (got 'a\\x00b')"),
    (b'{"title": "t", "body": "b", "language": "x", ' + BASE + b"}", "alert.bad_language", "language",
     "language must be a language code such as 'fr' or 'en' (got 'x')"),
    (b'{"title": "t", "body": "b", "expires_in": 600, "expires_at": "2026-11-21T18:00:00Z", ' + BASE + b"}",
     "alert.two_expiries", "expires_in", "give either expires_in or expires_at, not both"),
    (b'{"title": "t", "body": "b", "expires_in": 5, ' + BASE + b"}", "input.out_of_range", "expires_in",
     "expires_in must be between 60 and 604800 (got 5)"),
    (b'{"title": "t", "body": "b", "send_at": "2026-11-21 18:00", ' + BASE + b"}", "input.needs_time_zone", "send_at",
     "send_at must include a time zone, e.g. +01:00 or Z"),
    (b'{"title": "t", "body": "b", "zone": {"type": "Circle", "center": [4.39, 45.44], "radius_m": 12000}, '
     + BASE + b"}", "zone.radius_out_of_range", "zone.radius_m", "radius_m must be between 300 and 5000 metres (got 12000)"),
])
def test_a_refusal_names_its_code_field_and_words(raw: bytes, code: str, field: str, english: str) -> None:
    error = _refusal(raw)
    assert (error.code, error.field, error.message) == (code, field, english)
    assert error.message_in("fr") != english


def test_the_rules_that_need_the_station_and_the_clock() -> None:
    alert = _new('"title": "Crue", "body": "Montez.", "texts": {"en": {"title": "Flood", "body": "Go up."}}')
    request = alert_request(alert, NOW, station_language="fr")
    assert request.language == "fr" and list(request.texts) == ["fr", "en"]
    assert request.expires_at == NOW + timedelta(hours=24) and request.send_at is None

    for fields, code, field in [
        ('"title": "a", "body": "b", "texts": {"fr": {"title": "c", "body": "d"}}', "alert.text_twice", "texts"),
        ('"texts": {"en": {"title": "a", "body": "b"}}, "language": "de"', "alert.no_text_in_language", "language"),
        ('"title": "a", "body": "b", "audience": "everyone"', "alert.everyone_needs_zone", "zone"),
        ('"title": "a", "body": "b", "send_at": "2027-03-01T00:00:00Z"', "alert.schedule_too_far", "send_at"),
        ('"title": "a", "body": "b", "expires_at": "2026-11-21T17:00:30Z"', "alert.bad_lifetime", "expires_at"),
        ('"title": "a", "body": "Ceci n\'est pas un exercice.", "status": "exercise"', "alert.live_words_in_exercise",
         "texts.fr.body"),
        ('"title": "a", "body": "' + "🌊" * 1000 + '"', "alert.too_long_for_push", "body"),  # 4 bytes each
        ('"title": "a", "body": "b", "texts": {"en": {"title": "a", "body": "' + "🌊" * 1000 + '"}}',
         "alert.too_long_for_push", "texts.en.body"),
    ]:
        with pytest.raises(InvalidInput) as refused:
            alert_request(_new(fields), NOW, "fr")
        assert (refused.value.code, refused.value.field) == (code, field), fields


def test_a_scheduled_alert_expires_from_its_time() -> None:
    request = alert_request(_new('"title": "a", "body": "b", "send_at": "2026-11-22T09:00:00+01:00", "expires_in": 3600'),
                            NOW, "fr")
    assert request.send_at == datetime(2026, 11, 22, 8, 0, tzinfo=UTC)
    assert request.expires_at == request.send_at + timedelta(hours=1)


def test_a_preview_reads_no_words_and_a_cancel_needs_none() -> None:
    draft = parse_body(b'{"title": 5, "texts": "anything", "audience": "everyone", "status": "test"}', AlertDraft)
    assert (draft.audience, draft.status) == (Audience.EVERYONE, Status.TEST)
    assert parse_body(b'{"reason": "all_clear"}', CancelRequest).has_words() is False
    error = _refusal(b'{"reason": "oops"}', CancelRequest)
    assert (error.code, error.field, error.message) == (
        "input.not_one_of", "reason", "reason must be one of error, all_clear (got 'oops')")
    assert _refusal(b'{"body": "b"}', CancelRequest).field == "title"  # words given: both
