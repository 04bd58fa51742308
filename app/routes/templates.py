"""A station's alert templates: the built-in library with its edits, and its own. Parse,
authorise, call the service, render."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from app.routes.common import blocking, json_body, operator_of
from app.services import templates as service


async def list_templates(request: Request) -> Response:
    operator = await operator_of(request)
    templates = await blocking(service.list_templates, request.app.state.pool, operator, request.path_params["slug"])
    return JSONResponse({"templates": [t.as_json() for t in templates]})


async def save_template(request: Request) -> Response:
    operator = await operator_of(request)
    body = await json_body(request)
    template = await blocking(service.save_template, request.app.state.pool, operator, request.path_params["slug"],
                              request.path_params["key"], body)
    return JSONResponse(template.as_json())


async def delete_template(request: Request) -> Response:
    operator = await operator_of(request)
    await blocking(service.delete_template, request.app.state.pool, operator, request.path_params["slug"],
                   request.path_params["key"])
    return Response(status_code=204)
