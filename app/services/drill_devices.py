"""Drill devices (the API and the database call them test devices): an operator shows a short code
in the console, types it in the app on their own phone, and that phone then receives the station's
exercises and tests (and nobody else does)."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime

from psycopg_pool import ConnectionPool

from app.db import audit
from app.db import drill_devices as db
from app.db.pool import transaction
from app.db.stations import Operator
from app.errors import InvalidInput, NotFound
from app.services.alerts import station_for_sending
from app.services.devices import authenticate_device

CODE_VALID_S = 15 * 60
# No 0/O, 1/I/L: read aloud or copied from a screen without mistakes.
_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def _hash(code: str) -> bytes:
    return hashlib.sha256(code.replace("-", "").replace(" ", "").upper().encode()).digest()


@dataclass(frozen=True)
class EnrolmentCode:
    code: str
    expires_at: datetime
    devices: int  # test devices the station has now


def new_code(pool: ConnectionPool, operator: Operator, slug: str) -> EnrolmentCode:
    raw = "".join(secrets.choice(_ALPHABET) for _ in range(8))
    code = f"{raw[:4]}-{raw[4:]}"
    with transaction(pool) as conn:
        station = station_for_sending(conn, operator, slug)
        expires_at = db.create_code(conn, _hash(code), station.id, operator.id, CODE_VALID_S)
        audit.record(conn, actor=operator, action="test_code", station_id=station.id)
        return EnrolmentCode(code, expires_at, db.count(conn, station.id))


def count(pool: ConnectionPool, operator: Operator, slug: str) -> int:
    with transaction(pool) as conn:
        return db.count(conn, station_for_sending(conn, operator, slug).id)


def enrol(pool: ConnectionPool, device_id: uuid.UUID, bearer: str | None, code: str) -> tuple[str, str]:
    """Enrol the device with a code the console showed (any letter case, with or without the dash);
    returns the station's (slug, name)."""
    with transaction(pool) as conn:
        authenticate_device(conn, device_id, bearer)
        station = db.enrol(conn, _hash(code), device_id)
        if station is None:
            raise InvalidInput("drill_device.unknown_code", "code")
        return station


def leave(pool: ConnectionPool, device_id: uuid.UUID, bearer: str | None, slug: str) -> None:
    with transaction(pool) as conn:
        authenticate_device(conn, device_id, bearer)
        # a name with a NUL is no station's (and PostgreSQL's text cannot hold it)
        if "\x00" in slug or not db.leave(conn, device_id, slug):
            raise NotFound("drill_device.not_enrolled")


def stations_of(pool: ConnectionPool, device_id: uuid.UUID, bearer: str | None) -> list[tuple[str, str]]:
    with transaction(pool) as conn:
        authenticate_device(conn, device_id, bearer)
        return db.stations_of(conn, device_id)
