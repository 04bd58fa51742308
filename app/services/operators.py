"""Operators authenticate with API tokens; what they may do depends on their role per station."""

from __future__ import annotations

import hashlib
import secrets

from psycopg_pool import ConnectionPool

from app.db import stations as db
from app.db.pool import transaction
from app.db.stations import Operator
from app.errors import Forbidden, Unauthorized

TOKEN_PREFIX = "tcs_"
SEND_ROLES = frozenset({"admin", "publisher"})


def hash_token(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def authenticate_operator(pool: ConnectionPool, bearer: str | None) -> Operator:
    if not bearer:
        raise Unauthorized("send your API token: Authorization: Bearer tcs_…")
    if not bearer.startswith(TOKEN_PREFIX):
        raise Unauthorized("this is not a Tocsin API token (they start with tcs_)")
    with transaction(pool) as conn:
        operator = db.operator_by_token(conn, hash_token(bearer))
    if operator is None:
        raise Unauthorized("this API token is unknown or was revoked")
    return operator


def require_station_role(operator: Operator, station_id: int, roles: frozenset[str]) -> None:
    if not operator.roles.get(station_id, frozenset()) & roles:
        raise Forbidden(
            "your role on this station does not allow this; it needs one of: " + ", ".join(sorted(roles))
        )
