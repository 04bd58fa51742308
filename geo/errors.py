"""The refusal shared by zone and position parsing."""

from __future__ import annotations


class ZoneError(ValueError):
    """A zone or position sent by a client is unusable.

    `code` names the reason (``zone.radius_out_of_range``) and is stable; `field` is a dotted JSON
    path (``zone.coordinates[0][3]``) so the API can point the operator at the exact value; `values`
    are what the words name (``got="12000"``). The words themselves, in French and in English for
    a non-technical person, are the application's (app/locale/*/LC_MESSAGES/zones.po): geo stays
    free of web code.
    """

    def __init__(self, code: str, field: str, /, **values: object) -> None:
        shown = ", ".join(f"{name}={value}" for name, value in values.items())
        super().__init__(f"{field}: {code}" + (f" ({shown})" if shown else ""))
        self.code = code
        self.field = field
        self.values = values


def describe(value: object) -> str:
    """A value a client sent, shown back in a refusal the same way in every language."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + (value if len(value) <= 40 else value[:39] + "…") + '"'
    if isinstance(value, list):
        return "[…]"
    if isinstance(value, dict):
        return "{…}"
    return repr(value)
