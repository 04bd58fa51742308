"""The HTTP contract, declared once: each operation names its typed request and response models
(pydantic), its errors and its links; from these the app gets its routes, requests are decoded into
models (refusals become error codes with the field's path), and /openapi.json is generated.

Routes decode with `await decode(request, Model)` and answer with `reply(model, status)`.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Literal, TypeVar, get_args, get_origin

import pydantic_core
from pydantic import BaseModel, ConfigDict, ValidationError
from pydantic.fields import FieldInfo
from pydantic.json_schema import models_json_schema
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from app import catalogue
from app.errors import DomainError, InvalidInput, PayloadTooLarge

M = TypeVar("M", bound=BaseModel)
MAX_BODY_BYTES = 256 * 1024


class Body(BaseModel):
    """A request body: unknown fields refused, strings trimmed, JSON types taken as they are
    ("5" is not a number), NaN and Infinity refused."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, strict=True, allow_inf_nan=False,
                              frozen=True)


class Query(BaseModel):
    """Query-string parameters: strings converted to the declared types; other parameters (such
    as ?lang=) ignored."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True, frozen=True)


class Reply(BaseModel):
    """A response body."""

    model_config = ConfigDict(frozen=True)


class ErrorDetail(Reply):
    code: str
    message: str
    field: str | None = None


class Error(Reply):
    """Every refusal: a stable code, a message in the caller's language (?lang=, the console's
    cookie or Accept-Language; French or English), and the path of the field at fault."""

    error: ErrorDetail


# ---------------------------------------------------------------------------------------------
# Decoding requests


async def read_body(request: Request, limit: int = MAX_BODY_BYTES) -> bytes:
    """The body, cut as soon as it passes `limit` (never read whole into memory first)."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise PayloadTooLarge("request.too_large", None, max_kib=limit // 1024)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge("request.too_large", None, max_kib=limit // 1024)
        chunks.append(chunk)
    return b"".join(chunks)


async def decode(request: Request, model: type[M], *, empty: M | None = None) -> M:
    """The request's JSON body as `model`; `empty` is what an empty body means (else refused)."""
    raw = await read_body(request)
    if not raw.strip():
        if empty is not None:
            return empty
        raise InvalidInput("request.empty_body")
    return parse_body(raw, model)


_NOT_JSON = re.compile(rb"(?<![\w\"])(-?Infinity|NaN)(?![\w\"])")


def parse_body(raw: bytes, model: type[M]) -> M:
    if b"NaN" in raw or b"Infinity" in raw:
        try:  # NaN and Infinity are not JSON, even inside free-form objects
            pydantic_core.from_json(raw, allow_inf_nan=False)
        except ValueError as exc:
            word = _NOT_JSON.search(raw)
            detail = f"{word.group(1).decode()} is not a number in JSON" if word else _short(str(exc))
            raise InvalidInput("request.invalid_json", None, detail=detail) from None
    try:
        return model.model_validate_json(raw)
    except ValidationError as exc:
        raise refusal(exc, model) from None


def parse_query(request: Request, model: type[M]) -> M:
    try:
        return model.model_validate(dict(request.query_params))
    except ValidationError as exc:
        raise refusal(exc, model) from None


def parse_value(value: Any, model: type[M]) -> M:
    """Validate an already-decoded JSON value (e.g. from a stored template) as `model`."""
    try:
        return model.model_validate_json(pydantic_core.to_json(value))
    except ValidationError as exc:
        raise refusal(exc, model) from None


def _short(text: str, limit: int = 120) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def field_path(loc: Sequence[int | str]) -> str:
    """('texts', 'fr', 'title') → texts.fr.title; ('places', 0, 'lat') → places[0].lat"""
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path


# What pydantic adds to an error's location when it tries each member of a union: the member's
# type ('int', 'constrained-str', 'function-after[…]', a model's class name). Not part of the path.
_UNION_TAG = re.compile(r"^(int|float|str|bool|none|bytes|list|dict|tuple|set|constrained-[\w-]+|[\w-]+\[.*\])$")


def _is_union_tag(part: int | str) -> bool:
    return isinstance(part, str) and (bool(_UNION_TAG.match(part)) or part in _model_names())


@cache
def _model_names() -> frozenset[str]:
    found: set[str] = set()
    todo: list[type[BaseModel]] = [BaseModel]
    while todo:
        for sub in todo.pop().__subclasses__():
            found.add(sub.__name__)
            todo.append(sub)
    return frozenset(found)


def refusal(exc: ValidationError, model: type[BaseModel]) -> DomainError:
    """The first thing wrong, as an error code with the field's path and the values to show."""
    error = exc.errors(include_url=False)[0]
    kind: str = error["type"]
    loc = tuple(part for part in error["loc"] if not _is_union_tag(part))
    ctx: dict[str, Any] = dict(error.get("ctx") or {})
    got = error.get("input")
    info = _field_at(model, loc)
    path = field_path(loc)
    if catalogue.known(kind):  # raised by our own validators (PydanticCustomError(code, …))
        inner = ctx.pop("field", None)
        return InvalidInput(kind, inner or path or None, **ctx)
    if kind == "json_invalid":
        return InvalidInput("request.invalid_json", None, detail=_short(str(ctx.get("error", ""))))
    if kind == "missing":
        return InvalidInput("input.required", path)
    if kind == "extra_forbidden":
        parent = _model_at(model, loc[:-1])
        allowed = ", ".join(sorted(parent.model_fields)) if parent else ""
        return InvalidInput("input.unknown_field", path, name=str(loc[-1]), allowed=allowed)
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return InvalidInput("input.not_an_object" if path else "request.not_an_object", path or None)
    if kind == "string_type":
        return InvalidInput("input.not_a_string", path)
    if kind == "string_too_short":
        if ctx.get("min_length", 1) <= 1:
            return InvalidInput("input.empty", path)
        return InvalidInput("input.too_short", path, min=ctx.get("min_length"))
    if kind == "string_too_long":
        length = len(got.strip()) if isinstance(got, str) else "?"
        return InvalidInput("input.too_long", path, length=length, max=ctx.get("max_length"))
    if kind == "string_pattern_mismatch":
        return InvalidInput("input.bad_format", path, got=_short(repr(got), 60))
    if kind in ("literal_error", "enum", "union_tag_invalid", "union_tag_not_found"):
        return InvalidInput("input.not_one_of", path, choices=_choices(info, ctx), got=_short(repr(got), 60))
    if kind in ("float_type", "float_parsing", "finite_number", "int_type", "int_parsing", "int_from_float",
                "decimal_type", "int_parsing_size"):
        code = "input.not_an_integer" if kind.startswith("int") else "input.not_a_number"
        return InvalidInput(code, path)
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        low, high = _bounds(info)
        if low is not None and high is not None:
            return InvalidInput("input.out_of_range", path, min=low, max=high, got=got)
        if "ge" in ctx or "gt" in ctx:
            return InvalidInput("input.too_small", path, min=ctx.get("ge", ctx.get("gt")), got=got)
        return InvalidInput("input.too_large", path, max=ctx.get("le", ctx.get("lt")), got=got)
    if kind in ("bool_type", "bool_parsing"):
        return InvalidInput("input.not_a_boolean", path)
    if kind in ("list_type", "tuple_type", "set_type"):
        return InvalidInput("input.not_a_list", path)
    if kind == "too_long":
        return InvalidInput("input.too_many_items", path, count=ctx.get("actual_length"), max=ctx.get("max_length"))
    if kind == "too_short":
        return InvalidInput("input.too_few_items", path, min=ctx.get("min_length"))
    if kind in ("datetime_type", "datetime_parsing", "datetime_from_date_parsing", "datetime_object_invalid"):
        return InvalidInput("input.not_a_date_time", path, got=_short(repr(got), 60))
    if kind == "timezone_aware":
        return InvalidInput("input.needs_time_zone", path)
    if kind in ("uuid_type", "uuid_parsing", "uuid_version"):
        return InvalidInput("input.not_an_id", path)
    return InvalidInput("input.invalid", path)


def _unwrap(annotation: Any) -> list[Any]:
    """The types inside Optional[...], list[...], dict[str, ...], Annotated[...]."""
    origin = get_origin(annotation)
    if origin is None or origin is Literal:
        return [annotation]
    inner: list[Any] = []
    for arg in get_args(annotation):
        if arg is not type(None):
            inner.extend(_unwrap(arg) if get_origin(arg) is not Literal else [arg])
    return inner


def _model_at(model: type[BaseModel], loc: Sequence[int | str]) -> type[BaseModel] | None:
    current: list[Any] = [model]
    for part in loc:
        following: list[Any] = []
        for candidate in current:
            if isinstance(candidate, type) and issubclass(candidate, BaseModel):
                if isinstance(part, str) and part in candidate.model_fields:
                    following.extend(_unwrap(candidate.model_fields[part].annotation))
            else:  # inside a list or a dict: the item type
                following.append(candidate)
        current = following or current
    for candidate in current:
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
    return None


def _field_at(model: type[BaseModel], loc: Sequence[int | str]) -> FieldInfo | None:
    names = [part for part in loc if isinstance(part, str)]
    if not names:
        return None
    parent = _model_at(model, loc[: max(i for i, part in enumerate(loc) if isinstance(part, str))])
    return parent.model_fields.get(names[-1]) if parent else None


def _bounds(info: FieldInfo | None) -> tuple[Any, Any]:
    low = high = None
    for item in info.metadata if info else ():
        low = getattr(item, "ge", getattr(item, "gt", low))
        high = getattr(item, "le", getattr(item, "lt", high))
    return low, high


def _choices(info: FieldInfo | None, ctx: dict[str, Any]) -> str:
    if info is not None:
        for candidate in _unwrap(info.annotation):
            if get_origin(candidate) is Literal:
                return ", ".join(str(v) for v in get_args(candidate))
            if isinstance(candidate, type) and hasattr(candidate, "__members__"):
                return ", ".join(str(m.value) for m in candidate.__members__.values())
    expected = str(ctx.get("expected", ctx.get("expected_tags", "")))
    return expected.replace("'", "")


# ---------------------------------------------------------------------------------------------
# Answering


def reply(model: BaseModel, status: int = 200, headers: Mapping[str, str] | None = None) -> Response:
    return JSONResponse(model.model_dump(mode="json"), status_code=status, headers=headers)


# ---------------------------------------------------------------------------------------------
# Operations and the OpenAPI document

Auth = Literal["operator", "device", "session"]


@dataclass(frozen=True)
class Link:
    """An OpenAPI link: the id this operation returns feeds `parameters` of another operation."""

    operation_id: str
    parameters: Mapping[str, str]
    description: str = ""


@dataclass(frozen=True)
class Media:
    """A non-JSON body (CAP XML, an Atom feed, a PNG…): its media type and a schema of the body."""

    media_type: str
    schema: Mapping[str, Any] = field(default_factory=lambda: {"type": "string"})
    also: Sequence[str] = ()  # other media types taken for the same body


ResponseBody = type[BaseModel] | Media | None


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    endpoint: Callable[[Request], Awaitable[Response]]
    summary: str
    responses: Mapping[int, ResponseBody]
    body: type[BaseModel] | Media | None = None
    body_required: bool = True
    query: type[BaseModel] | None = None
    headers: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)  # request headers: name → schema
    errors: Sequence[int] = ()
    auth: Sequence[Auth] = ()
    links: Mapping[int, Mapping[str, Link]] = field(default_factory=dict)
    description: str = ""
    tag: str = ""
    response_headers: Mapping[int, Mapping[str, str]] = field(default_factory=dict)  # status → name → description

    @property
    def operation_id(self) -> str:
        return self.endpoint.__name__

    def route(self) -> Route:
        return Route(self.path, self.endpoint, methods=[self.method])


# The path parameters every operation shares, with their schemas.
PATH_PARAMETERS: dict[str, dict[str, Any]] = {
    "slug": {"type": "string", "pattern": "^[a-z0-9][a-z0-9-]{0,62}$", "description": "a station's short name"},
    "alert_id": {"type": "string", "format": "uuid"},
    "device_id": {"type": "string", "format": "uuid"},
    "import_id": {"type": "string", "format": "uuid"},
    "zone_id": {"type": "integer", "minimum": 1, "maximum": 2**63 - 1},
    "key": {"type": "string", "pattern": "^[a-z0-9][a-z0-9-]{1,62}$", "description": "a template's key"},
    "token": {"type": "string", "minLength": 1, "maxLength": 200, "description": "from the invitation e-mail"},
}

SECURITY_SCHEMES = {
    "operator": {"type": "http", "scheme": "bearer",
                 "description": "an operator's API token (tcs_…), from `tocsin create-token`"},
    "session": {"type": "apiKey", "in": "cookie", "name": "tocsin_session",
                "description": "the console's session cookie; requests that change something also send "
                               "X-CSRF-Token and come from the console's origin"},
    "device": {"type": "http", "scheme": "bearer",
               "description": "the device's secret, returned once by POST /api/v1/devices"},
}

_STATUS_WORDS = {
    200: "OK", 201: "created", 202: "accepted", 204: "done, nothing to return", 302: "redirect",
    304: "not modified", 400: "bad request", 401: "not authenticated", 403: "not allowed",
    404: "not found (or not yours)", 405: "method not allowed", 409: "conflict with the current state",
    413: "body too large", 415: "unsupported media type", 422: "a field is invalid; the error names it",
    429: "too many requests; see Retry-After", 503: "unavailable",
}


def _errors_of(op: Operation) -> list[int]:
    """What an operation can refuse with: its own list, plus what every such operation can meet."""
    statuses = set(op.errors)
    if op.body is not None or op.query is not None or op.headers:
        statuses.add(422)
    if op.body is not None:
        statuses.add(413)
    if op.auth:
        statuses.add(401)
    if re.search(r"\{\w+\}", op.path):
        statuses.add(404)
    return sorted(statuses)


def _content(body: ResponseBody | type[BaseModel], ref: Callable[[type[BaseModel]], dict[str, Any]]) -> dict[str, Any]:
    if isinstance(body, Media):
        return {media_type: {"schema": dict(body.schema)} for media_type in (body.media_type, *body.also)}
    assert body is not None
    return {"application/json": {"schema": ref(body)}}


def openapi_document(operations: Sequence[Operation], *, title: str = "Tocsin", version: str = "1") -> dict[str, Any]:
    models: set[type[BaseModel]] = {Error}
    for op in operations:
        for body in (op.body, *op.responses.values()):
            if isinstance(body, type) and issubclass(body, BaseModel):
                models.add(body)
    ordered = sorted(models, key=lambda m: (m.__module__, m.__qualname__))
    ref_template = "#/components/schemas/{model}"
    keys, defs = models_json_schema([(m, "validation" if issubclass(m, Body) else "serialization")
                                     for m in ordered], ref_template=ref_template)
    schemas = defs.get("$defs", {})

    def ref(model: type[BaseModel]) -> dict[str, Any]:
        return keys[(model, "validation" if issubclass(model, Body) else "serialization")]

    paths: dict[str, dict[str, Any]] = {}
    for op in operations:
        entry: dict[str, Any] = {"operationId": op.operation_id, "summary": op.summary}
        if op.description:
            entry["description"] = op.description
        if op.tag:
            entry["tags"] = [op.tag]
        parameters = [{"name": name, "in": "path", "required": True, "schema": PATH_PARAMETERS[name]}
                      for name in re.findall(r"\{(\w+)\}", op.path)]
        if op.query is not None:
            properties = op.query.model_json_schema(ref_template=ref_template).get("properties", {})
            for name, info in op.query.model_fields.items():
                schema = dict(properties.get(info.alias or name, {}))
                schema.pop("title", None)
                branches = [b for b in schema.get("anyOf", []) if b != {"type": "null"}]
                if len(branches) == 1:  # a query parameter is null by being left out
                    del schema["anyOf"]
                    schema.update(branches[0])
                    if schema.get("default", 0) is None:
                        del schema["default"]
                param: dict[str, Any] = {"name": info.alias or name, "in": "query", "required": info.is_required(),
                                         "schema": schema}
                if info.description:
                    param["description"] = info.description
                parameters.append(param)
        parameters += [{"name": name, "in": "header", "required": False, "schema": dict(schema)}
                       for name, schema in op.headers.items()]
        if parameters:
            entry["parameters"] = parameters
        if op.body is not None:
            entry["requestBody"] = {"required": op.body_required, "content": _content(op.body, ref)}
        responses: dict[str, Any] = {}
        for status, body in op.responses.items():
            response: dict[str, Any] = {"description": _STATUS_WORDS.get(status, str(status))}
            if body is not None:
                response["content"] = _content(body, ref)
            if status in op.links:
                response["links"] = {
                    name: {"operationId": link.operation_id, "parameters": dict(link.parameters),
                           **({"description": link.description} if link.description else {})}
                    for name, link in op.links[status].items()}
            if status in op.response_headers:
                response["headers"] = {name: {"description": words, "schema": {"type": "string"}}
                                       for name, words in op.response_headers[status].items()}
            responses[str(status)] = response
        for status in _errors_of(op):
            responses.setdefault(str(status), {
                "description": _STATUS_WORDS.get(status, str(status)),
                "content": {"application/json": {"schema": ref(Error)}},
            })
        entry["responses"] = responses
        if op.auth:
            entry["security"] = [{scheme: []} for scheme in op.auth]
        paths.setdefault(op.path, {})[op.method.lower()] = entry
    return {
        "openapi": "3.1.0",
        "info": {"title": title, "version": version,
                 "description": "Geolocated alerts: operators send, devices register and receive. Every refusal is "
                                "an Error whose code is stable and whose message is in French or English."},
        "paths": paths,
        "components": {"schemas": schemas, "securitySchemes": SECURITY_SCHEMES},
    }
