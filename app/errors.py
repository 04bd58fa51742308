"""Domain errors: each refusal is a stable `code` (e.g. ``zone.outside_commune``) whose words, in
French and in English, come from the gettext catalogues (app/catalogue.py, app/locale/). Each class
maps to one HTTP status (in app/main.py); the envelope is ``{"error": {"code", "message", "field"}}``.

Raise with the code, the field's path and the values the message names::

    raise Forbidden("approval.self_approval", "content_hash")
    raise InvalidInput("input.too_long", "texts.fr.title", length=131, max=120)
"""

from __future__ import annotations

from typing import Any

from app import catalogue


class DomainError(Exception):
    status = 400

    def __init__(self, code: str, field: str | None = None, /, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.field = field
        self.params = params

    @property
    def message(self) -> str:
        """In English: for logs, the CLI and tests."""
        return self.message_in("en")

    def message_in(self, language: str | None) -> str:
        return catalogue.message(self.code, language, self.params, field=self.field)

    def __str__(self) -> str:
        return self.message

    def as_json(self, language: str | None = None) -> dict[str, object]:
        body: dict[str, object] = {"code": self.code, "message": self.message_in(language)}
        if self.field:
            body["field"] = self.field
        return {"error": body}


class InvalidInput(DomainError):
    status = 422


class Unauthorized(DomainError):
    status = 401


class Forbidden(DomainError):
    status = 403


class NotFound(DomainError):
    status = 404


class Conflict(DomainError):
    status = 409


class PayloadTooLarge(DomainError):
    status = 413


class UnsupportedMediaType(DomainError):
    status = 415


class Unavailable(DomainError):
    status = 503


class TooManyRequests(DomainError):
    status = 429

    def __init__(self, code: str, retry_after_s: int, /, **params: Any) -> None:
        super().__init__(code, None, **params)
        self.retry_after_s = retry_after_s
