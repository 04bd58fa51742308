"""What an operator reads and changes about their stations: the station itself, its saved zones, its
history, and the association and school stations a municipality creates."""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, JsonValue, WithJsonSchema
from pydantic_core import PydanticCustomError

from app.contract import Body, Reply
from app.models.zones import ZONE_SCHEMA, Zone
from app.vocab import AlertState, Audience, Category, MsgType, Role, Severity, StationKind, Status

SLUG_PATTERN = r"^[a-z0-9][a-z0-9-]{1,62}$"
NO_NUL = r"^[^\x00]*$"  # PostgreSQL's text cannot hold NUL: refused as a field's bad form, not a 500
_SLUG = re.compile(SLUG_PATTERN)
ZONE_NAME_MAX = 80
STATION_NAME_MAX = 200


def _positions_as_numbers(schema: Any) -> Any:
    """The zone's schema with each position as an array of numbers instead of prefixItems: the
    contract fuzzer (Schemathesis 4.32) refuses prefixItems in a response's top-level properties."""
    if isinstance(schema, dict):
        if "prefixItems" in schema:
            return {**{k: v for k, v in schema.items() if k != "prefixItems"}, "items": {"type": "number"}}
        return {key: _positions_as_numbers(value) for key, value in schema.items()}
    if isinstance(schema, list):
        return [_positions_as_numbers(item) for item in schema]
    return schema


# A saved zone as it is answered: the zone it was saved as (a Circle or a GeoJSON polygon)
SAVED_ZONE_SCHEMA = _positions_as_numbers(ZONE_SCHEMA)


def _slug(value: str) -> str:
    if not _SLUG.match(value):
        raise PydanticCustomError("station.bad_slug", "slug must be 2 to 63 lower-case letters, digits or dashes")
    return value


# ---------------------------------------------------------------------------------------------
# Requests


class ZoneToSave(Body):
    name: Annotated[str, Field(min_length=1, max_length=ZONE_NAME_MAX, pattern=NO_NUL)]
    zone: Zone  # checked by geo when decoded; it must also lie in the station's commune


class ChildStation(Body):
    """An association or an institution (school, hotel, club…) of the municipality's commune."""

    slug: Annotated[str, Field(min_length=1, max_length=63, json_schema_extra={"pattern": SLUG_PATTERN},
                               description="its short name in addresses, such as club-de-judo"),
                    AfterValidator(_slug)]
    name: Annotated[str, Field(min_length=1, max_length=STATION_NAME_MAX, pattern=NO_NUL)]
    kind: Literal[StationKind.ASSOCIATION, StationKind.INSTITUTION]


# ---------------------------------------------------------------------------------------------
# Responses


class OwnStation(Reply):
    """A station as one of its operators sees it, with their roles on it."""

    slug: str
    name: str
    kind: StationKind
    parent: str | None  # the municipality of an association or an institution
    roles: list[Role]


class OwnStationDetail(OwnStation):
    territory: dict[str, JsonValue] | None  # GeoJSON of the commune its zones must stay in
    territory_tolerance_m: float  # how far a zone may go beyond it
    may_alert_everyone: bool  # municipalities: everyone standing in the zone, not only followers


class SavedZone(Reply):
    id: int
    name: str
    zone: Annotated[dict[str, JsonValue], WithJsonSchema(SAVED_ZONE_SCHEMA)]


class SavedZones(Reply):
    zones: list[SavedZone]


class DeliveryCounts(Reply):
    total: int
    by_status: dict[str, int]  # delivery status → count


class HistoryEntry(Reply):
    id: uuid.UUID
    title: str
    severity: Severity
    category: Category
    audience: Audience
    state: AlertState
    created_at: datetime
    expires_at: datetime
    status: Status
    msg_type: MsgType
    send_at: datetime | None  # a scheduled alert: when it goes out
    deliveries: DeliveryCounts


class StationHistory(Reply):
    alerts: list[HistoryEntry]  # newest first, at most 100
