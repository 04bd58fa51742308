"""Test devices ("drill devices"): the phones that receive a station's exercises and tests. An
operator asks for an enrolment code in the console and types it in the app on their own phone."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import Field

from app.contract import Body, Reply


class DrillDeviceCount(Reply):
    test_devices: int  # the station's test devices still able to receive


class EnrolmentCode(Reply):
    code: str  # ABCD-EFGH: typed in the app (any letter case, with or without the dash)
    expires_at: datetime
    test_devices: int


class EnrolmentRequest(Body):
    code: Annotated[str, Field(min_length=1, max_length=20, description="the code the console shows")]


class DrillStation(Reply):
    slug: str
    name: str


class Enrolled(Reply):
    station: DrillStation


class DrillStations(Reply):
    stations: list[DrillStation]
