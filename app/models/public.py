"""What anyone may read without an account: stations to follow, communes, a station's posts, an
alert's public page."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Self

from pydantic import Field, JsonValue, model_validator
from pydantic_core import PydanticCustomError

from app.contract import Query, Reply
from app.vocab import AlertState, Category, MsgType, Severity, StationKind, Status

SEARCH_MAX = 100  # characters of ?q=
NO_NUL = r"^[^\x00]*$"  # PostgreSQL's text cannot hold NUL
# spaces around are trimmed first: at least two other signs, and no NUL
TWO_SIGNS = r"^\s*[^\s\x00][^\x00]*[^\s\x00]\s*$"

LonLat = tuple[float, float]
BBox = tuple[float, float, float, float]  # west, south, east, north


# ---------------------------------------------------------------------------------------------
# Requests


class StationSearch(Query):
    """All stations, or those matching ?q= (name or INSEE code), or around ?lat=&lon= (then ?q= is
    not used)."""

    q: Annotated[str, Field(max_length=SEARCH_MAX, pattern=NO_NUL,
                            description="part of a station's name, or an INSEE code")] = ""
    lat: Annotated[float | None, Field(ge=-90, le=90, allow_inf_nan=False, description="degrees north")] = None
    lon: Annotated[float | None, Field(ge=-180, le=180, allow_inf_nan=False, description="degrees east")] = None

    @model_validator(mode="after")
    def _both_or_neither(self) -> Self:
        if (self.lat is None) != (self.lon is None):
            raise PydanticCustomError("public.lat_lon_together", "give both lat and lon",
                                      {"field": "lon" if self.lon is None else "lat"})
        return self


class CommuneSearch(Query):
    q: Annotated[str, Field(min_length=2, pattern=TWO_SIGNS,
                            description="at least 2 letters or digits of a commune's name or code")]


# ---------------------------------------------------------------------------------------------
# Responses


class PublicStation(Reply):
    slug: str
    name: str
    kind: StationKind
    parent: str | None  # the municipality of an association or an institution
    code: str | None  # a municipality's INSEE code
    center: LonLat | None  # municipalities: a point inside the commune
    bbox: BBox | None
    categories: list[Category]  # what its followers may choose among


class StationList(Reply):
    stations: list[PublicStation]


class Commune(Reply):
    name: str
    code: str | None
    slug: str
    center: LonLat | None
    bbox: BBox | None


class CommuneList(Reply):
    communes: list[Commune]


class StationName(Reply):
    slug: str
    name: str


class PublicAlert(Reply):
    """An alert as anyone may read it (the page every notification links to)."""

    id: uuid.UUID
    station: StationName
    title: str
    body: str
    severity: Severity
    category: Category
    sent: datetime
    expires: datetime
    active: bool
    zone: dict[str, JsonValue] | None  # a Circle {type, center, radius_m} or a GeoJSON polygon
    status: Status
    msg_type: MsgType
    state: AlertState
    replaced_by: uuid.UUID | None  # the update or the cancel that replaced it


class StationPosts(Reply):
    station: PublicStation
    posts: list[PublicAlert]  # the last 30 days', newest first
