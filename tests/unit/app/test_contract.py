"""Requests decoded into models: each refusal is a code naming the field's path, in both languages."""

from __future__ import annotations

from typing import Annotated, Literal

import pytest
from pydantic import Field

from app.contract import Body, field_path, parse_body
from app.errors import InvalidInput
from app.vocab import Severity


class Text(Body):
    title: Annotated[str, Field(min_length=1, max_length=10)]


class Place(Body):
    lat: Annotated[float, Field(ge=-85, le=85)]
    kind: Literal["home", "work"] = "home"


class Sample(Body):
    texts: dict[str, Text] = Field(default_factory=dict)
    places: Annotated[list[Place], Field(max_length=2)] = Field(default_factory=list)
    severity: Severity = Severity.UNKNOWN
    urgent: bool = False


@pytest.mark.parametrize(("raw", "code", "field", "english"), [
    (b'{"texts": {"fr": {"title": "x" }}, "bogus": 1}', "input.unknown_field", "bogus",
     "unknown field 'bogus'; allowed fields are: places, severity, texts, urgent"),
    (b'{"texts": {"fr": {"title": "  "}}}', "input.empty", "texts.fr.title", "texts.fr.title must not be empty"),
    (b'{"texts": {"fr": {"title": "abcdefghijkl"}}}', "input.too_long", "texts.fr.title",
     "texts.fr.title is too long (12 characters); at most 10"),
    (b'{"texts": {"fr": {}}}', "input.required", "texts.fr.title", "texts.fr.title is required"),
    (b'{"places": [{"lat": 91}]}', "input.out_of_range", "places[0].lat",
     "places[0].lat must be between -85 and 85 (got 91)"),
    (b'{"places": [{"lat": "45"}]}', "input.not_a_number", "places[0].lat", "places[0].lat must be a number"),
    (b'{"places": [{"lat": NaN}]}', "request.invalid_json", None, None),
    (b'{"places": [{"lat": 1, "kind": "castle"}]}', "input.not_one_of", "places[0].kind",
     "places[0].kind must be one of home, work (got 'castle')"),
    (b'{"places": [{"lat": 1}, {"lat": 2}, {"lat": 3}]}', "input.too_many_items", "places",
     "places has 3 items; at most 2"),
    (b'{"severity": "Dire"}', "input.not_one_of", "severity",
     "severity must be one of Extreme, Severe, Moderate, Minor, Unknown (got 'Dire')"),
    (b'{"urgent": "yes"}', "input.not_a_boolean", "urgent", "urgent must be true or false"),
    (b'[1, 2]', "request.not_an_object", None, "the request body must be a JSON object"),
    (b'{"texts": ', "request.invalid_json", None, None),
])
def test_a_refusal_names_the_field_and_the_reason(raw: bytes, code: str, field: str | None,
                                                  english: str | None) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_body(raw, Sample)
    error = caught.value
    assert (error.code, error.field) == (code, field)
    if english:
        assert error.message == english
    french = error.as_json("fr")["error"]
    assert isinstance(french, dict) and french["message"] != error.message  # in French, not English


def test_a_good_body_is_decoded_with_its_types() -> None:
    sample = parse_body(b'{"texts": {"fr": {"title": " Crue "}}, "severity": "Severe"}', Sample)
    assert sample.texts["fr"].title == "Crue" and sample.severity is Severity.SEVERE


def test_paths() -> None:
    assert field_path(("texts", "fr", "title")) == "texts.fr.title"
    assert field_path(("places", 0, "lat")) == "places[0].lat"
