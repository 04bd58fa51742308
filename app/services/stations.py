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
from app.db.pool import transaction
from app.db.stations import Operator, StationDetail
from app.errors import Conflict, Forbidden, InvalidInput, NotFound
from app.services import sessions
from app.services.operators import SEND_ROLES, require_station_role
from app.validation import get_str, reject_unknown, require_object

TERRITORY_TOLERANCE_M = 50.0
ROLES = ("admin", "publisher", "approver")
CHILD_KINDS = ("association", "institution")
HISTORY_LIMIT = 100
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _mine(conn: Any, operator: Operator, slug: str) -> StationDetail:
    station = db.find_station(conn, slug)
    if station is None or station.id not in operator.roles:
        # another station's name gives the same answer as a missing one
        raise NotFound(f"no station called {slug!r} among yours")
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
        raise InvalidInput(
            f"the zone goes {overshoot:.0f} m beyond the commune of {db.commune_name(conn, station_id)} "
            f"({TERRITORY_TOLERANCE_M:.0f} m are tolerated); draw it inside the commune",
            "zone",
        )


def list_zones(pool: ConnectionPool, operator: Operator, slug: str) -> list[zones_db.SavedZone]:
    with transaction(pool) as conn:
        return zones_db.list_zones(conn, _mine(conn, operator, slug).id)


def save_zone(pool: ConnectionPool, operator: Operator, slug: str, body: Any) -> zones_db.SavedZone:
    data = require_object(body, "")
    reject_unknown(data, {"name", "zone"})
    name = get_str(data, "name", "name", max_len=80)
    assert name is not None
    try:
        zone = geo.parse_zone(data.get("zone"))
    except geo.ZoneError as exc:
        raise InvalidInput(exc.message, exc.field) from None
    with transaction(pool) as conn:
        station = _mine(conn, operator, slug)
        require_station_role(operator, station.id, SEND_ROLES)
        check_territory(conn, station.id, zone)
        saved = zones_db.save_zone(conn, station.id, name, zone.to_geojson())
    if saved is None:
        raise Conflict(f"this station already has a zone called {name!r}; choose another name", "name")
    return saved


def delete_zone(pool: ConnectionPool, operator: Operator, slug: str, raw_id: str) -> None:
    with transaction(pool) as conn:
        station = _mine(conn, operator, slug)
        require_station_role(operator, station.id, SEND_ROLES)
        if not raw_id.isdigit() or not zones_db.delete_zone(conn, station.id, int(raw_id)):
            raise NotFound("no such saved zone")


def history(pool: ConnectionPool, operator: Operator, slug: str) -> list[alerts_db.AlertSummary]:
    with transaction(pool) as conn:
        return alerts_db.station_alerts(conn, _mine(conn, operator, slug).id, HISTORY_LIMIT)


def _admin_station(conn: Any, operator: Operator, slug: str) -> StationDetail:
    station = _mine(conn, operator, slug)
    require_station_role(operator, station.id, frozenset({"admin"}))
    return station


def list_operators(pool: ConnectionPool, operator: Operator, slug: str) -> list[dict[str, Any]]:
    with transaction(pool) as conn:
        station = _admin_station(conn, operator, slug)
        rows = db.operators_of_station(conn, station.id)
    return [{"name": n, "email": e, "roles": r, "active": has_password} for n, e, r, has_password in rows]


def invite_operator(
    pool: ConnectionPool, public_url: str, operator: Operator, slug: str, body: Any
) -> str | None:
    """Give someone a role on the station; returns the link where a new operator chooses a
    password (None if they already have one and can simply log in)."""
    data = require_object(body, "")
    reject_unknown(data, {"name", "email", "role"})
    name = get_str(data, "name", "name", max_len=200)
    email = get_str(data, "email", "email", max_len=320)
    role = get_str(data, "role", "role", max_len=20)
    assert name is not None and email is not None and role is not None
    if not _EMAIL.match(email):
        raise InvalidInput(f"email must be an e-mail address such as jeanne@mairie.example (got {email!r})", "email")
    if role not in ROLES:
        raise InvalidInput(f"role must be one of {', '.join(ROLES)} (got {role!r})", "role")
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


def create_child_station(pool: ConnectionPool, operator: Operator, slug: str, body: Any) -> StationDetail:
    data = require_object(body, "")
    reject_unknown(data, {"slug", "name", "kind"})
    child_slug = get_str(data, "slug", "slug", max_len=63)
    name = get_str(data, "name", "name", max_len=200)
    kind = get_str(data, "kind", "kind", max_len=20)
    assert child_slug is not None and name is not None and kind is not None
    if not _SLUG.match(child_slug):
        raise InvalidInput(
            "slug must be 2 to 63 lower-case letters, digits or dashes, such as 'club-de-judo'", "slug"
        )
    if kind not in CHILD_KINDS:
        raise InvalidInput(f"kind must be one of {', '.join(CHILD_KINDS)} (got {kind!r})", "kind")
    with transaction(pool) as conn:
        parent = _admin_station(conn, operator, slug)
        if parent.kind != "municipality":
            raise Forbidden("only a municipality creates stations for the associations and schools of its commune")
        if db.find_station(conn, child_slug) is not None:
            raise Conflict(f"a station called {child_slug!r} already exists; choose another name", "slug")
        child_id = db.create_station(conn, child_slug, name, kind, parent.id)
        # the municipality's admin can then invite the child station's own operators
        db.grant_role(conn, operator.id, child_id, "admin")
        audit.record(conn, actor=operator, action="station_create", station_id=child_id,
                     detail={"slug": child_slug, "name": name, "kind": kind, "parent": parent.slug})
        [child] = db.stations_by_id(conn, [child_id])
    return child
