"""Validation error shared by zone and position parsing."""

from __future__ import annotations


class ZoneError(ValueError):
    """A zone or position sent by a client is unusable.

    `field` is a dotted JSON path (``zone.coordinates[0][3]``) so the API can point the
    operator at the exact value; `message` is meant to be shown to a non-technical person.
    """

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message
