"""Operators authenticate with API tokens; what they may do depends on their role per station."""

from __future__ import annotations

import hashlib
import secrets

from psycopg_pool import ConnectionPool

from app.db import stations as db
from app.db.pool import transaction
from app.db.stations import Operator
from app.errors import Forbidden, Unauthorized
from app.vocab import SEND_ROLES

# SEND_ROLES is app.vocab's; the services import it from here
__all__ = ["SEND_ROLES", "TOKEN_PREFIX", "authenticate_operator", "hash_token", "new_token", "require_station_role"]
TOKEN_PREFIX = "tcs_"


def hash_token(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def authenticate_operator(pool: ConnectionPool, bearer: str | None) -> Operator:
    if not bearer:
        raise Unauthorized("operator.token_missing")
    if not bearer.startswith(TOKEN_PREFIX):
        raise Unauthorized("operator.not_a_token")
    with transaction(pool) as conn:
        operator = db.operator_by_token(conn, hash_token(bearer))
    if operator is None:
        raise Unauthorized("operator.token_unknown")
    return operator


def require_station_role(operator: Operator, station_id: int, roles: frozenset[str]) -> None:
    if not operator.roles.get(station_id, frozenset()) & roles:
        raise Forbidden("operator.role_needed", None, roles=sorted(roles))
