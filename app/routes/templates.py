"""A station's alert templates: the built-in library with its edits, and its own. Parse,
authorise, call the service, render."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from app.contract import Auth, Operation, decode, reply
from app.models.templates import StationTemplate, StationTemplates, TemplateToSave
from app.routes.common import blocking, operator_of
from app.services import templates as service


def _template(template: service.StationTemplate) -> StationTemplate:
    return StationTemplate.model_validate({
        "key": template.key, "builtin": template.builtin, "edited": template.edited, "category": template.category,
        "severity": template.severity, "urgent": template.urgent, "texts": template.texts,
        "blanks": template.blanks(),
    })


async def list_templates(request: Request) -> Response:
    operator = await operator_of(request)
    templates = await blocking(service.list_templates, request.app.state.pool, operator, request.path_params["slug"])
    return reply(StationTemplates(templates=[_template(t) for t in templates]))


async def save_template(request: Request) -> Response:
    operator = await operator_of(request)
    key = service.parse_key(request.path_params["key"])
    edit = await decode(request, TemplateToSave)
    template = await blocking(service.save_template, request.app.state.pool, operator, request.path_params["slug"],
                              key, edit)
    return reply(_template(template))


async def delete_template(request: Request) -> Response:
    operator = await operator_of(request)
    await blocking(service.delete_template, request.app.state.pool, operator, request.path_params["slug"],
                   request.path_params["key"])
    return Response(status_code=204)


OPERATOR: tuple[Auth, ...] = ("operator", "session")
# Besides what every operation can meet: 403 (a role the station does not give, or a console
# request without its CSRF token or from another site); 503: the database cannot be reached.

OPERATIONS = [
    Operation("GET", "/api/v1/stations/{slug}/templates", list_templates,
              "The station's alert templates: the built-in library (with the station's edits) and its own; "
              "blanks to fill are written [like this]", {200: StationTemplates}, errors=(503,), auth=OPERATOR,
              tag="templates"),
    Operation("PUT", "/api/v1/stations/{slug}/templates/{key}", save_template,
              "Edit a built-in template or save one of the station's own (admins only)", {200: StationTemplate},
              body=TemplateToSave, errors=(403, 503), auth=OPERATOR, tag="templates"),
    Operation("DELETE", "/api/v1/stations/{slug}/templates/{key}", delete_template,
              "Put a built-in template back to its default, or delete one of the station's own (admins only)",
              {204: None}, errors=(403, 503), auth=OPERATOR, tag="templates",
              description="404: no station of that name among yours, or no edited or own template of that key."),
]
