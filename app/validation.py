"""Small helpers that read JSON request bodies and name the offending field when they refuse."""

from __future__ import annotations

import math
from typing import Any

from app.errors import InvalidInput


def require_object(data: Any, field: str) -> dict[str, Any]:
    if not isinstance(data, dict):
        where = field or "the request body"
        raise InvalidInput(f"{where} must be a JSON object", field or None)
    return data


def reject_unknown(data: dict[str, Any], allowed: set[str], field: str = "") -> None:
    unknown = sorted(set(data) - allowed)
    if unknown:
        prefix = f"{field}." if field else ""
        raise InvalidInput(
            f"unknown field {unknown[0]!r}; allowed fields are: {', '.join(sorted(allowed))}",
            prefix + unknown[0],
        )


def get_str(
    data: dict[str, Any],
    key: str,
    field: str,
    *,
    required: bool = True,
    max_len: int = 1000,
    min_len: int = 1,
    default: str | None = None,
) -> str | None:
    value = data.get(key)
    if value is None:
        if required:
            raise InvalidInput(f"{field} is required", field)
        return default
    if not isinstance(value, str):
        raise InvalidInput(f"{field} must be a string", field)
    value = value.strip()
    if len(value) < min_len:
        raise InvalidInput(f"{field} must not be empty", field)
    if len(value) > max_len:
        raise InvalidInput(
            f"{field} is too long ({len(value)} characters); at most {max_len}", field
        )
    return value


def get_bool(data: dict[str, Any], key: str, field: str, default: bool) -> bool:
    value = data.get(key, default)
    if value is None:
        return default
    if not isinstance(value, bool):
        raise InvalidInput(f"{field} must be true or false", field)
    return value


def get_number(
    data: dict[str, Any], key: str, field: str, *, minimum: float, maximum: float
) -> float | None:
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise InvalidInput(f"{field} must be a number", field)
    if not minimum <= value <= maximum:
        raise InvalidInput(f"{field} must be between {minimum:g} and {maximum:g} (got {value:g})", field)
    return float(value)


def get_list(data: dict[str, Any], key: str, field: str, max_items: int) -> list[Any] | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, list):
        raise InvalidInput(f"{field} must be a list", field)
    if len(value) > max_items:
        raise InvalidInput(f"{field} has {len(value)} items; at most {max_items}", field)
    return value
