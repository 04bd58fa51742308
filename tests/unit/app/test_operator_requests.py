"""Operators' requests (accounts, stations, templates, CAP decisions) decoded into their models: each
refusal is a code naming the field, with the words the console shows, in English and in French."""

from __future__ import annotations

import pytest

from app import catalogue
from app.cap.parse import XML_REFUSALS, parse_xml
from app.contract import parse_body
from app.errors import InvalidInput, NotFound
from app.models.cap import CapDecision
from app.models.operators import Credentials, NewPassword, RoleGrant
from app.models.stations import ChildStation, ZoneToSave
from app.models.templates import TemplateToSave
from app.services.stations import parse_zone_id
from app.services.templates import parse_key
from app.vocab import Audience, Role, StationKind

TEXT = '{"name": "Essai", "title": "Essai [lieu]", "body": "Ceci est un essai."}'
CIRCLE = '{"type": "Circle", "center": [4.3872, 45.4397], "radius_m": 1000}'


def refused(raw: str, model: type) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        parse_body(raw.encode(), model)
    return caught.value


def french(error: InvalidInput) -> str:
    body = error.as_json("fr")["error"]
    assert isinstance(body, dict)
    return str(body["message"])


@pytest.mark.parametrize(("raw", "model", "code", "field", "english"), [
    ('{"slug": "Club de judo", "name": "Judo", "kind": "association"}', ChildStation, "station.bad_slug", "slug",
     "slug must be 2 to 63 lower-case letters, digits or dashes, such as 'club-de-judo'"),
    ('{"slug": "' + "a" * 64 + '", "name": "Judo", "kind": "association"}', ChildStation, "input.too_long", "slug",
     "slug is too long (64 characters); at most 63"),
    ('{"slug": "judo", "name": "Judo", "kind": "municipality"}', ChildStation, "input.not_one_of", "kind",
     "kind must be one of association, institution (got 'municipality')"),
    ('{"name": "Jeanne", "email": "jeanne", "role": "publisher"}', RoleGrant, "operator.bad_email", "email",
     "email must be an e-mail address such as jeanne@mairie.example (got 'jeanne')"),
    ('{"name": "Jeanne", "email": "j@mairie.example", "role": "boss"}', RoleGrant, "input.not_one_of", "role",
     "role must be one of admin, publisher, approver (got 'boss')"),
    ('{"email": "j@mairie.example"}', Credentials, "input.required", "password", "password is required"),
    ('{"password": "short"}', NewPassword, "input.too_short", "password",
     "password must have at least 10 characters"),
    ('{"name": "centre", "zone": ' + CIRCLE + ', "colour": "red"}', ZoneToSave, "input.unknown_field", "colour",
     "unknown field 'colour'; allowed fields are: name, zone"),
    ('{"name": "centre", "zone": {"type": "Circle", "center": [4.3872, 45.4397], "radius_m": 12000}}', ZoneToSave,
     "zone.radius_out_of_range", "zone.radius_m", None),
    ('{"texts": {"fr": ' + TEXT + '}, "category": "Weather", "severity": "Minor"}', TemplateToSave,
     "input.not_one_of", "category",
     ("category must be one of Geo, Met, Safety, Security, Rescue, Fire, Health, Env, Transport, Infra, CBRNE, "
      "Other (got 'Weather')")),
    ('{"texts": {}, "category": "Other", "severity": "Minor"}', TemplateToSave, "template.no_language", "texts",
     "texts needs at least one language among: fr, en"),
    ('{"texts": {"fr": {"name": "x", "title": "' + "🚨" * 120 + '", "body": "' + "🚨" * 1000 + '"}}, '
     '"category": "Other", "severity": "Minor"}', TemplateToSave, "template.too_long_for_push", "texts.fr.body",
     "title and body together are too long for a push notification; shorten the body"),
    ('{"email": "mairie\\u0000@test.invalid", "password": "x"}', Credentials, "input.bad_format", "email", None),
    ('{"texts": {"fr": null, "en": ' + TEXT + '}, "category": "Other", "severity": "Minor"}', TemplateToSave,
     "input.not_an_object", "texts.fr", "texts.fr must be a JSON object"),
    ('{"audience": "martians"}', CapDecision, "input.not_one_of", "audience",
     "audience must be one of followers, everyone (got 'martians')"),
])
def test_a_refusal_names_the_field_and_why(raw: str, model: type, code: str, field: str,
                                           english: str | None) -> None:
    error = refused(raw, model)
    assert (error.code, error.field) == (code, field)
    if english is not None:
        assert error.message == english
    assert french(error) != error.message


def test_the_console_reads_these_in_french() -> None:
    error = refused('{"slug": "A", "name": "Judo", "kind": "association"}', ChildStation)
    assert french(error) == "l'identifiant doit faire 2 à 63 caractères : minuscules, chiffres ou tirets, comme " \
                            "'club-de-judo'"
    error = refused('{"texts": {}, "category": "Other", "severity": "Minor"}', TemplateToSave)
    assert french(error) == "les textes doivent être donnés dans au moins une de ces langues : fr, en"


def test_good_requests_are_decoded_with_their_types() -> None:
    saved = parse_body(('{"name": " Centre ", "zone": ' + CIRCLE + '}').encode(), ZoneToSave)
    assert saved.name == "Centre" and saved.zone.to_geojson()["radius_m"] == 1000
    child = parse_body(b'{"slug": " club-de-judo ", "name": "Judo", "kind": "association"}', ChildStation)
    assert (child.slug, child.kind) == ("club-de-judo", StationKind.ASSOCIATION)
    grant = parse_body(b'{"name": "Jeanne", "email": "jeanne@mairie.example", "role": "approver"}', RoleGrant)
    assert grant.role is Role.APPROVER
    edit = parse_body(('{"texts": {"en": ' + TEXT + '}, "category": "Other", "severity": "Minor"}').encode(),
                      TemplateToSave)
    assert list(edit.texts.given()) == ["en"] and edit.urgent is None
    assert parse_body(b'{"audience": "everyone"}', CapDecision).audience is Audience.EVERYONE
    assert parse_body(b'{"audience": null}', CapDecision).audience is None


def test_a_template_key_is_checked_before_anything_else() -> None:
    assert parse_key("marche-annule") == "marche-annule"
    with pytest.raises(InvalidInput) as caught:
        parse_key("Not A Key")
    assert (caught.value.code, caught.value.field) == ("template.bad_key", "key")
    assert caught.value.message.startswith("key must be 2 to 63 lower-case letters")
    assert french(caught.value).startswith("la clé doit faire 2 à 63 caractères")


@pytest.mark.parametrize(("raw", "expected"), [
    ("12", 12), ("0", None), ("-1", None), ("²", None), ("1e3", None), (str(2**63 - 1), 2**63 - 1),
    (str(2**63), None), ("9" * 30, None),
])
def test_a_zone_id_that_cannot_be_one_is_simply_not_found(raw: str, expected: int | None) -> None:
    assert parse_zone_id(raw) == expected


def test_xml_refusals_have_words_and_a_feed_is_not_called_a_cap_document() -> None:
    for refusals in XML_REFUSALS.values():
        assert all(catalogue.known(code) for code in refusals.values())
    with pytest.raises(InvalidInput) as caught:
        parse_xml(b"<feed", "feed")
    assert caught.value.code == "cap.feed_not_xml" and caught.value.message.startswith("the feed is not")
    with pytest.raises(InvalidInput) as caught:
        parse_xml(b"<alert", "document")
    assert caught.value.code == "cap.not_xml" and "CAP document" in caught.value.message


def test_an_import_id_that_is_not_a_uuid_is_not_found() -> None:
    from app.cap.imports import parse_import_id

    with pytest.raises(NotFound) as caught:
        parse_import_id("not-a-uuid")
    assert caught.value.code == "cap.import_not_found"
