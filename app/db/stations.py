"""Stations, operators and API tokens."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import psycopg


@dataclass(frozen=True)
class Station:
    id: int
    slug: str
    name: str
    kind: str
    language: str = "fr"
    # severities of live alerts that need a second operator's approval; None: the kind's default
    approval_severities: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Operator:
    id: int
    name: str
    # station id -> roles held there
    roles: dict[int, frozenset[str]]
    email: str | None = None


@dataclass(frozen=True)
class StationDetail:
    id: int
    slug: str
    name: str
    kind: str
    parent_slug: str | None
    # the commune a zone must stay in: the station's own territory, or its parent's (GeoJSON)
    territory_geojson: str | None


def find_station(conn: psycopg.Connection, slug: str) -> Station | None:
    row = conn.execute(
        "SELECT id, slug, name, kind, language, approval_severities FROM stations WHERE slug = %s", (slug,)
    ).fetchone()
    if row is None:
        return None
    return Station(row[0], row[1], row[2], row[3], row[4], tuple(row[5]) if row[5] is not None else None)


def station_ids_by_slug(conn: psycopg.Connection, slugs: list[str]) -> dict[str, int]:
    rows = conn.execute("SELECT slug, id FROM stations WHERE slug = ANY(%s)", (slugs,)).fetchall()
    return dict(rows)


def upsert_municipality(
    conn: psycopg.Connection, slug: str, name: str, code: str, territory_wkb: bytes
) -> int:
    row = conn.execute(
        "INSERT INTO stations (slug, name, kind, code, territory)"
        " VALUES (%s, %s, 'municipality', %s, ST_Multi(ST_GeomFromWKB(%s, 4326)))"
        " ON CONFLICT (slug) DO UPDATE SET name = EXCLUDED.name, code = EXCLUDED.code,"
        " territory = EXCLUDED.territory RETURNING id",
        (slug, name, code, territory_wkb),
    ).fetchone()
    assert row is not None
    return int(row[0])


def create_station(
    conn: psycopg.Connection, slug: str, name: str, kind: str, parent_id: int | None
) -> int:
    row = conn.execute(
        "INSERT INTO stations (slug, name, kind, parent_id) VALUES (%s, %s, %s, %s) RETURNING id",
        (slug, name, kind, parent_id),
    ).fetchone()
    assert row is not None
    return int(row[0])


def set_approval_severities(conn: psycopg.Connection, slug: str, severities: list[str] | None) -> int | None:
    """Which severities of the station's live alerts wait for an approver (None: its kind's
    default); the station's id, or None if there is no such station."""
    row = conn.execute("UPDATE stations SET approval_severities = %s WHERE slug = %s RETURNING id",
                       (severities, slug)).fetchone()
    return int(row[0]) if row else None


def create_operator(conn: psycopg.Connection, name: str, email: str | None) -> int:
    row = conn.execute(
        "INSERT INTO operators (name, email) VALUES (%s, %s)"
        " ON CONFLICT (email) DO UPDATE SET name = EXCLUDED.name RETURNING id",
        (name, email),
    ).fetchone()
    assert row is not None
    return int(row[0])


def operator_id_by_email(conn: psycopg.Connection, email: str) -> int | None:
    row = conn.execute("SELECT id FROM operators WHERE email = %s", (email,)).fetchone()
    return int(row[0]) if row else None


def grant_role(conn: psycopg.Connection, operator_id: int, station_id: int, role: str) -> None:
    conn.execute(
        "INSERT INTO operator_roles (operator_id, station_id, role) VALUES (%s, %s, %s)"
        " ON CONFLICT DO NOTHING",
        (operator_id, station_id, role),
    )


def add_api_token(
    conn: psycopg.Connection, operator_id: int, token_hash: bytes, label: str
) -> None:
    conn.execute(
        "INSERT INTO api_tokens (operator_id, token_hash, label) VALUES (%s, %s, %s)",
        (operator_id, token_hash, label),
    )


def operator_by_token(conn: psycopg.Connection, token_hash: bytes) -> Operator | None:
    row = conn.execute(
        "UPDATE api_tokens t SET last_used_at = now() FROM operators o"
        " WHERE t.token_hash = %s AND t.revoked_at IS NULL AND o.id = t.operator_id AND o.active"
        " RETURNING t.operator_id",
        (token_hash,),
    ).fetchone()
    return load_operator(conn, int(row[0])) if row else None


def load_operator(conn: psycopg.Connection, operator_id: int) -> Operator | None:
    row = conn.execute(
        "SELECT name, email FROM operators WHERE id = %s AND active", (operator_id,)
    ).fetchone()
    if row is None:
        return None
    roles: dict[int, set[str]] = {}
    for station_id, role in conn.execute(
        "SELECT station_id, role FROM operator_roles WHERE operator_id = %s", (operator_id,)
    ):
        roles.setdefault(station_id, set()).add(role)
    return Operator(operator_id, row[0], {k: frozenset(v) for k, v in roles.items()}, row[1])


def stations_by_id(conn: psycopg.Connection, ids: list[int]) -> list[StationDetail]:
    """The stations, with the commune each must keep its zones in."""
    rows = conn.execute(
        "SELECT s.id, s.slug, s.name, s.kind, p.slug,"
        " ST_AsGeoJSON(coalesce(s.territory, p.territory), 6)"
        " FROM stations s LEFT JOIN stations p ON p.id = s.parent_id"
        " WHERE s.id = ANY(%s) ORDER BY s.kind <> 'municipality', s.name",
        (ids,),
    ).fetchall()
    return [StationDetail(*r) for r in rows]


def zone_overshoot_m(
    conn: psycopg.Connection, station_id: int, zone_wkb: bytes, tolerance_m: float
) -> float | None:
    """How far (m) the zone (WGS 84) reaches beyond the commune of the station, or of its parent:
    0 when it stays within the commune grown by tolerance_m; None when there is no commune.

    Measured in the UTM zone of the alert, where metres are metres (to within 0.1 %); ~2 ms for
    a zone inside its commune."""
    row = conn.execute(
        "WITH t AS (SELECT coalesce(s.territory, p.territory) AS geom FROM stations s"
        "   LEFT JOIN stations p ON p.id = s.parent_id WHERE s.id = %(station)s),"
        " z AS (SELECT ST_GeomFromWKB(%(zone)s, 4326) AS g),"
        " u AS (SELECT CASE WHEN ST_Y(ST_Centroid(g)) < 0 THEN 32700 ELSE 32600 END"
        "   + floor((ST_X(ST_Centroid(g)) + 180) / 6)::int + 1 AS srid FROM z),"
        " m AS (SELECT ST_Transform(z.g, u.srid) AS zone, ST_Transform(t.geom, u.srid) AS commune"
        "   FROM t, z, u WHERE t.geom IS NOT NULL)"
        " SELECT CASE WHEN ST_CoveredBy(m.zone, ST_Buffer(m.commune, %(tolerance)s)) THEN 0 ELSE"
        # how far out, for the message: sampled every 100 m over the part outside the commune
        "   greatest(%(tolerance)s + 1, (SELECT max(ST_Distance(d.geom, m.commune))"
        "    FROM ST_DumpPoints(ST_Segmentize(ST_Difference(m.zone, m.commune), 100)) d)) END FROM m",
        {"station": station_id, "zone": zone_wkb, "tolerance": tolerance_m},
    ).fetchone()
    return None if row is None else float(row[0])


def commune_name(conn: psycopg.Connection, station_id: int) -> str:
    """The name of the commune whose territory the station's zones must stay in."""
    row = conn.execute(
        "SELECT CASE WHEN s.territory IS NOT NULL OR p.id IS NULL THEN s.name ELSE p.name END"
        " FROM stations s LEFT JOIN stations p ON p.id = s.parent_id WHERE s.id = %s",
        (station_id,),
    ).fetchone()
    assert row is not None
    return str(row[0])


def operators_of_station(conn: psycopg.Connection, station_id: int) -> list[tuple[str, str | None, list[str], bool]]:
    """(name, email, roles, has a password) of the station's operators."""
    rows = conn.execute(
        "SELECT o.name, o.email, array_agg(r.role ORDER BY r.role), o.password_hash IS NOT NULL"
        " FROM operators o JOIN operator_roles r ON r.operator_id = o.id"
        " WHERE r.station_id = %s AND o.active GROUP BY o.id ORDER BY o.name",
        (station_id,),
    ).fetchall()
    return [(r[0], r[1], list(r[2]), bool(r[3])) for r in rows]


@dataclass(frozen=True)
class PublicStation:
    slug: str
    name: str
    kind: str
    parent_slug: str | None
    code: str | None
    # municipalities: where the commune is, for the resident app's map and search
    center: tuple[float, float] | None
    bbox: tuple[float, float, float, float] | None


_PUBLIC_COLUMNS = (
    "SELECT s.slug, s.name, s.kind, p.slug, s.code,"
    " CASE WHEN s.territory IS NULL THEN NULL ELSE"
    "   ARRAY[ST_X(ST_PointOnSurface(s.territory)), ST_Y(ST_PointOnSurface(s.territory))] END,"
    " CASE WHEN s.territory IS NULL THEN NULL ELSE ARRAY[ST_XMin(s.territory), ST_YMin(s.territory),"
    "   ST_XMax(s.territory), ST_YMax(s.territory)] END"
)
_PUBLIC_FROM = " FROM stations s LEFT JOIN stations p ON p.id = s.parent_id"
_PUBLIC = _PUBLIC_COLUMNS + _PUBLIC_FROM


def _public(rows: list[tuple[Any, ...]]) -> list[PublicStation]:
    return [PublicStation(r[0], r[1], r[2], r[3], r[4], tuple(r[5]) if r[5] else None,
                          tuple(r[6]) if r[6] else None) for r in rows]


def search_stations(conn: psycopg.Connection, text: str, limit: int, municipalities_only: bool = False) -> list[PublicStation]:
    """By name (accents and case ignored) or by the start of the commune's INSEE code."""
    rows = conn.execute(
        _PUBLIC + " WHERE (unaccent(lower(s.name)) LIKE '%%' || unaccent(lower(%(q)s)) || '%%'"
        "   OR replace(unaccent(lower(s.name)), '-', ' ') LIKE '%%' || replace(unaccent(lower(%(q)s)), '-', ' ') || '%%'"
        "   OR (%(q)s ~ '^[0-9AB]+$' AND s.code LIKE %(q)s || '%%'))"
        "   AND (NOT %(municipal)s OR s.kind = 'municipality')"
        " ORDER BY s.kind <> 'municipality', unaccent(lower(s.name)) NOT LIKE unaccent(lower(%(q)s)) || '%%',"
        " s.name LIMIT %(limit)s",
        {"q": text, "limit": limit, "municipal": municipalities_only},
    ).fetchall()
    return _public(rows)


def stations_near(conn: psycopg.Connection, lon: float, lat: float, radius_m: float, limit: int) -> list[PublicStation]:
    """The municipality holding the point and its child stations first, then the municipalities
    around, nearest first."""
    rows = conn.execute(
        "WITH here AS (SELECT ST_SetSRID(ST_MakePoint(%(lon)s, %(lat)s), 4326) AS g),"
        " towns AS (SELECT s.id, ST_Distance(s.territory::geography, here.g::geography) AS d FROM stations s, here"
        "   WHERE s.kind = 'municipality' AND ST_DWithin(s.territory::geography, here.g::geography, %(radius)s))"
        + _PUBLIC_COLUMNS + ", coalesce(t.d, pt.d) AS d" + _PUBLIC_FROM +
        " LEFT JOIN towns t ON t.id = s.id LEFT JOIN towns pt ON pt.id = s.parent_id"
        " WHERE t.id IS NOT NULL OR (pt.id IS NOT NULL AND pt.d = 0)"
        " ORDER BY d, s.kind <> 'municipality', s.name LIMIT %(limit)s",
        {"lon": lon, "lat": lat, "radius": radius_m, "limit": limit},
    ).fetchall()
    return _public([r[:7] for r in rows])


def public_station(conn: psycopg.Connection, slug: str) -> PublicStation | None:
    rows = conn.execute(_PUBLIC + " WHERE s.slug = %s", (slug,)).fetchall()
    found = _public(rows)
    return found[0] if found else None
