"""A station's alert templates: the built-in library (app/alert_templates.py) with the station's
edits laid over it, and the templates it added. Anyone on the station reads them; admins edit."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from psycopg_pool import ConnectionPool

from app import alert_templates as library
from app.db import audit
from app.db import templates as db
from app.db.pool import transaction
from app.db.stations import Operator
from app.errors import InvalidInput, NotFound
from app.models.templates import TemplateToSave
from app.services.operators import require_station_role
from app.services.stations import _mine
from app.vocab import Role

ADMIN = frozenset({Role.ADMIN})
_KEY = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")


@dataclass(frozen=True)
class StationTemplate:
    key: str
    builtin: bool
    edited: bool
    category: str
    severity: str
    urgent: bool
    texts: dict[str, dict[str, str]]

    def blanks(self) -> dict[str, list[str]]:
        return {lang: library.unfilled_blanks(f"{t['title']}\n{t['body']}") for lang, t in self.texts.items()}


def _builtin(template: library.Template) -> StationTemplate:
    texts = {lang: {"name": t.name, "title": t.title, "body": t.body} for lang, t in template.texts.items()}
    return StationTemplate(template.key, True, False, template.category, template.severity, template.urgent, texts)


def _merge(row: db.StationTemplate) -> StationTemplate:
    """A built-in key's edit replaces the languages it gives; the others stay the default."""
    default = library.BUILTIN_BY_KEY.get(row.key)
    texts = dict(_builtin(default).texts) if default else {}
    texts.update({lang: row.texts[lang] for lang in library.LANGUAGES if lang in row.texts})
    return StationTemplate(row.key, default is not None, True, row.category, row.severity, row.urgent, texts)


def _templates(conn: Any, station_id: int) -> list[StationTemplate]:
    edited = {row.key: _merge(row) for row in db.station_templates(conn, station_id)}
    builtins = [edited.pop(t.key) if t.key in edited else _builtin(t) for t in library.BUILTIN]
    return builtins + sorted(edited.values(), key=lambda t: t.key)  # the library's order, then the station's own


def list_templates(pool: ConnectionPool, operator: Operator, slug: str) -> list[StationTemplate]:
    with transaction(pool) as conn:
        return _templates(conn, _mine(conn, operator, slug).id)


def parse_key(raw: str) -> str:
    """A template's key from the path: checked before anything else, so that a mistyped key is
    named whatever else is wrong."""
    if not _KEY.match(raw):
        raise InvalidInput("template.bad_key", "key")
    return raw


def save_template(pool: ConnectionPool, operator: Operator, slug: str, key: str,
                  request: TemplateToSave) -> StationTemplate:
    """Edit a built-in template or create/replace one of the station's own (admins only); `key`
    went through parse_key."""
    texts = {lang: text.model_dump() for lang, text in request.texts.given().items()}
    category, severity, urgent = request.category.value, request.severity.value, request.urgent
    if urgent is None:
        default = library.BUILTIN_BY_KEY.get(key)
        # an explicit null says "not urgent", as it always has; leaving it out keeps the built-in's
        urgent = False if "urgent" in request.model_fields_set or default is None else default.urgent
    with transaction(pool) as conn:
        station = _mine(conn, operator, slug)
        require_station_role(operator, station.id, ADMIN)
        row = db.save_template(conn, station.id, key, texts, category, severity, urgent, operator.id)
        audit.record(conn, actor=operator, action="template_edit", station_id=station.id, detail={"key": key})
    return _merge(row)


def delete_template(pool: ConnectionPool, operator: Operator, slug: str, key: str) -> None:
    """A built-in template goes back to its default (returned); one of the station's own is removed."""
    with transaction(pool) as conn:
        station = _mine(conn, operator, slug)
        require_station_role(operator, station.id, ADMIN)
        if not _KEY.match(key) or not db.delete_template(conn, station.id, key):
            raise NotFound("template.not_found", None, key=key)
        audit.record(conn, actor=operator, action="template_delete", station_id=station.id, detail={"key": key})
