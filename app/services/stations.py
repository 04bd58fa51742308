"""What an operator may see and change about their stations: detail, saved zones, history,
operators, child stations. A station that is not theirs does not exist for them (404)."""

from __future__ import annotations

import re
from typing import Any

from psycopg_pool import ConnectionPool

import geo
from app.db import alerts as alerts_db
from app.db import audit
from app.db import sessions as sessions_db
from app.db import stations as db
from app.db import zones as zones_db
from app.db.errors import AlreadyExists
from app.db.pool import transaction
from app.db.stations import Operator, StationDetail
from app.errors import Conflict, Forbidden, InvalidInput, NotFound
from app.models.operators import RoleGrant
from app.models.stations import ChildStation, ZoneToSave
from app.services import sessions
from app.services.operators import SEND_ROLES, require_station_role
from app.vocab import Role, StationKind

TERRITORY_TOLERANCE_M = 50.0
HISTORY_LIMIT = 100
_ZONE_ID = re.compile(r"^[0-9]{1,19}$")
_SLUG_IN_PATH = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
_BIGINT_MAX = 2**63 - 1


def station_named(conn: Any, slug: str) -> db.Station | None:
    """The station called `slug`; None for a name that cannot be a station's (never sent to the
    database, which refuses some of them, such as one holding NUL)."""
    return db.find_station(conn, slug) if _SLUG_IN_PATH.match(slug) else None


def _mine(conn: Any, operator: Operator, slug: str) -> StationDetail:
    station = station_named(conn, slug)
    if station is None or station.id not in operator.roles:
        # another station's name gives the same answer as a missing one
        raise NotFound("station.not_found", None, slug=slug)
    [detail] = db.stations_by_id(conn, [station.id])
    return detail


def my_stations(pool: ConnectionPool, operator: Operator) -> list[StationDetail]:
    with transaction(pool) as conn:
        return db.stations_by_id(conn, list(operator.roles))


def station_detail(pool: ConnectionPool, operator: Operator, slug: str) -> StationDetail:
    with transaction(pool) as conn:
        return _mine(conn, operator, slug)


def check_territory(conn: Any, station_id: int, zone: geo.Zone) -> None:
    """A zone must stay within the station's commune (or its parent's), give or take 50 m."""
    overshoot = db.zone_overshoot_m(conn, station_id, zone.shape.wkb, TERRITORY_TOLERANCE_M)
    if overshoot:
        raise InvalidInput("zone.outside_commune", "zone", overshoot_m=f"{overshoot:.0f}",
                           commune=db.commune_name(conn, station_id), tolerance_m=f"{TERRITORY_TOLERANCE_M:.0f}")


def list_zones(pool: ConnectionPool, operator: Operator, slug: str) -> list[zones_db.SavedZone]:
    with transaction(pool) as conn:
        return zones_db.list_zones(conn, _mine(conn, operator, slug).id)


def save_zone(pool: ConnectionPool, operator: Operator, slug: str, request: ZoneToSave) -> zones_db.SavedZone:
    name, zone = request.name, request.zone
    with transaction(pool) as conn:
        station = _mine(conn, operator, slug)
        require_station_role(operator, station.id, SEND_ROLES)
        check_territory(conn, station.id, zone)
        saved = zones_db.save_zone(conn, station.id, name, zone.to_geojson())
    if saved is None:
        raise Conflict("station.zone_name_taken", "name", name=name)
    return saved


def parse_zone_id(raw_id: str) -> int | None:
    """A saved zone's id from the path; None for what cannot be one (the zone is then not found)."""
    return int(raw_id) if _ZONE_ID.match(raw_id) and 0 < int(raw_id) <= _BIGINT_MAX else None


def delete_zone(pool: ConnectionPool, operator: Operator, slug: str, zone_id: int | None) -> None:
    with transaction(pool) as conn:
        station = _mine(conn, operator, slug)
        require_station_role(operator, station.id, SEND_ROLES)
        if zone_id is None or not zones_db.delete_zone(conn, station.id, zone_id):
            raise NotFound("station.zone_not_found")


def history(pool: ConnectionPool, operator: Operator, slug: str) -> list[alerts_db.AlertSummary]:
    with transaction(pool) as conn:
        return alerts_db.station_alerts(conn, _mine(conn, operator, slug).id, HISTORY_LIMIT)


def _admin_station(conn: Any, operator: Operator, slug: str) -> StationDetail:
    station = _mine(conn, operator, slug)
    require_station_role(operator, station.id, frozenset({Role.ADMIN}))
    return station


def list_operators(pool: ConnectionPool, operator: Operator, slug: str) -> list[tuple[str, str | None, list[str], bool]]:
    """(name, e-mail, roles, has chosen a password) of each operator of the station (admins only)."""
    with transaction(pool) as conn:
        return db.operators_of_station(conn, _admin_station(conn, operator, slug).id)


def invite_operator(
    pool: ConnectionPool, public_url: str, operator: Operator, slug: str, grant: RoleGrant
) -> str | None:
    """Give someone a role on the station; returns the link where a new operator chooses a
    password (None if they already have one and can simply log in)."""
    name, email, role = grant.name, grant.email, grant.role.value
    with transaction(pool) as conn:
        station = _admin_station(conn, operator, slug)
        existing = db.operator_id_by_email(conn, email.lower())
        operator_id = existing if existing is not None else db.create_operator(conn, name, email.lower())
        db.grant_role(conn, operator_id, station.id, role)
        audit.record(conn, actor=operator, action="role_grant", station_id=station.id,
                     detail={"operator_id": operator_id, "email": email.lower(), "role": role})
        has_password = sessions_db.operator_has_password(conn, operator_id)
        token = None if has_password else sessions.new_invitation(conn, operator_id)
    return f"{public_url}/console/invitation/{token}" if token else None


def create_child_station(pool: ConnectionPool, operator: Operator, slug: str, request: ChildStation) -> StationDetail:
    child_slug, name, kind = request.slug, request.name, request.kind.value
    try:
        with transaction(pool) as conn:
            parent = _admin_station(conn, operator, slug)
            if parent.kind != StationKind.MUNICIPALITY:
                raise Forbidden("station.not_a_municipality")
            if db.find_station(conn, child_slug) is not None:
                raise Conflict("station.slug_taken", "slug", slug=child_slug)
            child_id = db.create_station(conn, child_slug, name, kind, parent.id)
            # the municipality's admin can then invite the child station's own operators
            db.grant_role(conn, operator.id, child_id, Role.ADMIN)
            audit.record(conn, actor=operator, action="station_create", station_id=child_id,
                         detail={"slug": child_slug, "name": name, "kind": kind, "parent": parent.slug})
            [child] = db.stations_by_id(conn, [child_id])
    except AlreadyExists:  # the same name, taken by another request at the same moment
        raise Conflict("station.slug_taken", "slug", slug=child_slug) from None
    return child
