"""A station's alert templates: the built-in library with the station's edits, and its own."""

from __future__ import annotations

from typing import Annotated, Self

from pydantic import BeforeValidator, ConfigDict, Field, model_validator
from pydantic.json_schema import SkipJsonSchema
from pydantic_core import PydanticCustomError

from app import alert_templates as library
from app.contract import Body, Reply
from app.models.stations import NO_NUL
from app.payloads import PAYLOAD_TEXT_LIMIT, alert_payload_size
from app.vocab import Category, Severity


def _category(value: object) -> object:
    """The categories, named in the library's order (the console's) when one is refused."""
    if isinstance(value, str) and value not in library.CATEGORIES:
        raise PydanticCustomError("input.not_one_of", "not a category",
                                  {"choices": ", ".join(library.CATEGORIES), "got": repr(value)[:60]})
    return value


def _given(value: object) -> object:
    if value is None:
        raise PydanticCustomError("input.not_an_object", "must be a JSON object")
    return value


# ---------------------------------------------------------------------------------------------
# Requests


class TemplateText(Body):
    name: Annotated[str, Field(min_length=1, max_length=library.NAME_MAX, pattern=NO_NUL,
                               description="as the console lists it")]
    title: Annotated[str, Field(min_length=1, max_length=library.TITLE_MAX, pattern=NO_NUL)]
    body: Annotated[str, Field(min_length=1, max_length=library.BODY_MAX, pattern=NO_NUL)]


class TemplateTexts(Body):
    """At least one language; blanks to fill are written [like this]."""

    model_config = ConfigDict(json_schema_extra={"minProperties": 1})

    # a language is given or left out; null is refused, as it always was
    fr: Annotated[TemplateText | SkipJsonSchema[None], BeforeValidator(_given)] = None
    en: Annotated[TemplateText | SkipJsonSchema[None], BeforeValidator(_given)] = None

    def given(self) -> dict[str, TemplateText]:
        return {lang: text for lang in library.LANGUAGES if (text := getattr(self, lang)) is not None}

    @model_validator(mode="after")
    def _one_language_that_fits_a_push(self) -> Self:
        given = self.given()
        if not given:
            raise PydanticCustomError("template.no_language", "texts needs at least one language",
                                      {"languages": ", ".join(library.LANGUAGES)})
        for lang, text in given.items():
            if alert_payload_size(text.title, text.body) > PAYLOAD_TEXT_LIMIT:
                raise PydanticCustomError("template.too_long_for_push", "too long for a push",
                                          {"field": f"texts.{lang}.body"})
        return self


class TemplateToSave(Body):
    texts: TemplateTexts
    category: Annotated[Category, BeforeValidator(_category)]
    severity: Severity
    urgent: Annotated[bool | None, Field(description="a built-in template's own when not given; false for the "
                                                     "station's own")] = None


# ---------------------------------------------------------------------------------------------
# Responses


class TemplateWords(Reply):
    name: str
    title: str
    body: str


class StationTemplate(Reply):
    key: str
    builtin: bool  # one of the library's (edited or not)
    edited: bool  # the station changed it (or it is the station's own)
    category: Category
    severity: Severity
    urgent: bool
    texts: dict[str, TemplateWords]  # language → words
    blanks: dict[str, list[str]]  # language → the blanks still to fill, such as "[rue]"


class StationTemplates(Reply):
    templates: list[StationTemplate]  # the library's order, then the station's own by key
