"""Operators log in to the console with e-mail and password; the session is a row and a cookie."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from psycopg_pool import ConnectionPool

from app.db import audit
from app.db import sessions as db
from app.db import stations as stations_db
from app.db.pool import transaction
from app.db.stations import Operator
from app.errors import Forbidden, InvalidInput, NotFound, TooManyRequests, Unauthorized
from app.models.operators import PASSWORD_MAX, PASSWORD_MIN, Credentials

COOKIE = "tocsin_session"
CSRF_HEADER = "x-csrf-token"
LIFETIME_S = 12 * 3600
FAILURE_WINDOW_S = 15 * 60
MAX_FAILURES_PER_EMAIL = 5
MAX_FAILURES_PER_ADDRESS = 20
MIN_PASSWORD = PASSWORD_MIN
INVITATION_LIFETIME_S = 7 * 24 * 3600

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
# Checked when the e-mail is unknown, so that the answer takes as long as for a wrong password.
_UNKNOWN = _hasher.hash(secrets.token_urlsafe(16))


@dataclass(frozen=True)
class Session:
    operator: Operator
    csrf_token: str
    cookie: str = ""  # set only when the session is created


def _hash(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise InvalidInput("session.password_too_short", "password", min=MIN_PASSWORD)
    if len(password) > PASSWORD_MAX:
        raise InvalidInput("session.password_too_long", "password", max=PASSWORD_MAX)
    return _hasher.hash(password)


def _password_matches(stored: str | None, password: str) -> bool:
    try:
        return _hasher.verify(stored or _UNKNOWN, password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


def login(pool: ConnectionPool, credentials: Credentials, address: str) -> Session:
    email, password = credentials.email, credentials.password
    with transaction(pool) as conn:
        by_email, by_address = db.recent_failures(conn, email, address, FAILURE_WINDOW_S)
        found = db.operator_login(conn, email)
    if by_email >= MAX_FAILURES_PER_EMAIL or by_address >= MAX_FAILURES_PER_ADDRESS:
        raise TooManyRequests("session.too_many_failures", FAILURE_WINDOW_S, minutes=FAILURE_WINDOW_S // 60)
    # an unknown e-mail costs a hash check too: the answer's timing does not tell who has an account
    if not _password_matches(found[1] if found else None, password) or found is None:
        with transaction(pool) as conn:
            db.record_failure(conn, email, address)
            audit.record(conn, actor=None, action="login_failed", detail={"email": email, "address": address})
        raise Unauthorized("session.wrong_password")
    operator_id, stored = found
    cookie, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    with transaction(pool) as conn:
        db.forget_failures(conn, email)
        if stored and _hasher.check_needs_rehash(stored):
            db.set_password_hash(conn, operator_id, _hasher.hash(password))
        db.create_session(conn, _hash(cookie), operator_id, csrf, LIFETIME_S)
        operator = stations_db.load_operator(conn, operator_id)
        audit.record(conn, actor=operator, action="login", detail={"address": address})
    assert operator is not None
    return Session(operator, csrf, cookie)


def current_session(pool: ConnectionPool, cookie: str | None) -> Session | None:
    if not cookie:
        return None
    with transaction(pool) as conn:
        found = db.use_session(conn, _hash(cookie), LIFETIME_S)
        operator = stations_db.load_operator(conn, found[0]) if found else None
    return Session(operator, found[1]) if operator is not None and found else None


def check_csrf(session: Session, header: str | None) -> None:
    if not header or not hmac.compare_digest(header, session.csrf_token):
        raise Forbidden("session.csrf_missing")


def logout(pool: ConnectionPool, cookie: str) -> None:
    with transaction(pool) as conn:
        db.delete_session(conn, _hash(cookie))


def new_invitation(conn: Any, operator_id: int) -> str:
    token = secrets.token_urlsafe(24)
    db.create_invitation(conn, _hash(token), operator_id, INVITATION_LIFETIME_S)
    return token


def accept_invitation(pool: ConnectionPool, token: str, password: str) -> None:
    password_hash = hash_password(password)
    with transaction(pool) as conn:
        operator_id = db.use_invitation(conn, _hash(token))
        if operator_id is None:
            raise NotFound("session.invitation_unknown")
        db.set_password_hash(conn, operator_id, password_hash)
        db.delete_sessions_of(conn, operator_id)
        audit.record(conn, actor=stations_db.load_operator(conn, operator_id), action="invitation_accepted")
