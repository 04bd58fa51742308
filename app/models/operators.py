"""Operators' accounts: console login and session, invitations, and who acts for a station."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, Field
from pydantic_core import PydanticCustomError

from app.contract import Body, Reply
from app.models.stations import NO_NUL, OwnStation
from app.vocab import Role

EMAIL_MAX = 320
PASSWORD_MIN = 10  # for a new password; logging in with an older, shorter one still works
PASSWORD_MAX = 1000
OPERATOR_NAME_MAX = 200
EMAIL_PATTERN = r"^[^@\s\x00]+@[^@\s\x00]+\.[^@\s\x00]+$"
_EMAIL = re.compile(EMAIL_PATTERN)


def _email(value: str) -> str:
    if not _EMAIL.match(value):
        raise PydanticCustomError("operator.bad_email", "not an e-mail address", {"got": value})
    return value


# ---------------------------------------------------------------------------------------------
# Requests


class Credentials(Body):
    email: Annotated[str, Field(min_length=1, max_length=EMAIL_MAX, pattern=NO_NUL)]
    password: Annotated[str, Field(min_length=1, max_length=PASSWORD_MAX)]


class NewPassword(Body):
    password: Annotated[str, Field(min_length=PASSWORD_MIN, max_length=PASSWORD_MAX)]


class RoleGrant(Body):
    """Someone to give a role on the station: an operator already (found by e-mail), or a new one."""

    name: Annotated[str, Field(min_length=1, max_length=OPERATOR_NAME_MAX, pattern=NO_NUL)]
    email: Annotated[str, Field(min_length=1, max_length=EMAIL_MAX,
                                json_schema_extra={"pattern": EMAIL_PATTERN}),
                     AfterValidator(_email)]
    role: Role


# ---------------------------------------------------------------------------------------------
# Responses


class OperatorIdentity(Reply):
    name: str
    email: str | None


class MapTiles(Reply):
    tile_url: str
    attribution: str


class ConsoleSession(Reply):
    """Who is logged in, their stations, and the token every change must send as X-CSRF-Token."""

    operator: OperatorIdentity
    csrf_token: str
    stations: list[OwnStation]
    map: MapTiles


class RoleGranted(Reply):
    invitation_url: str | None  # where a new operator chooses a password; None if they already have one


class StationOperator(Reply):
    name: str
    email: str | None
    roles: list[Role]
    active: bool  # has chosen a password


class StationOperators(Reply):
    operators: list[StationOperator]
