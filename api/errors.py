"""The one place where bigmap-kg errors become HTTP statuses and bodies.

API clients get JSON ``{"error", "location", "hint"}`` (plus ``report`` for shape violations and
``problems`` for a request file); a browser asking for HTML gets the same as a page.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response

from api.body import BodyTooLarge
from api.negotiation import wants_html
from api.templating import render
from bigmap_kg.access import AccessDenied
from bigmap_kg.errors import (
    BigmapKGError,
    EntryConflict,
    ParseError,
    QuerySyntaxError,
    StoreError,
    UnknownReference,
    ValidationFailed,
    shown,
)
from bigmap_kg.requests import InvalidRequest
from bigmap_kg.sparql_protocol import QueryTimeout, ResultTooLarge, ServiceBusy
from bigmap_kg.sparql_results import NotAcceptable

STATUS: list[tuple[type[BigmapKGError], int]] = [
    (BodyTooLarge, 413),
    (ValidationFailed, 422),
    (InvalidRequest, 422),
    (QuerySyntaxError, 400),
    (ParseError, 400),
    (ResultTooLarge, 400),
    (UnknownReference, 404),
    (EntryConflict, 409),
    (NotAcceptable, 406),
    (QueryTimeout, 503),
    (ServiceBusy, 503),
    (StoreError, 502),
]


def status_of(exc: BigmapKGError) -> int:
    if isinstance(exc, AccessDenied):
        return 403 if exc.authenticated else 401
    return next((code for kind, code in STATUS if isinstance(exc, kind)), 400)


def error_body(exc: BigmapKGError) -> dict[str, Any]:
    body: dict[str, Any] = {"error": exc.message}
    location = {k: v for k, v in asdict(exc.location).items() if v is not None}
    if location:
        body["location"] = location
    if exc.hint:
        body["hint"] = exc.hint
    if isinstance(exc, ValidationFailed):
        body["report"] = exc.report.to_dict()  # type: ignore[attr-defined]
    if isinstance(exc, InvalidRequest):
        body["problems"] = [error_body(p) for p in exc.problems]
    return body


def printable(value: Any) -> Any:
    """An error body that can be written as UTF-8: a lone surrogate that came in with the input
    (half of a UTF-16 pair, no character) shown as its escape, ``\\ud800``, not a failure."""
    if isinstance(value, str):
        return shown(value)
    if isinstance(value, dict):
        return {printable(k): printable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [printable(v) for v in value]
    return value


async def handle(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, BigmapKGError)
    status = status_of(exc)
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else {}
    if isinstance(exc, (QueryTimeout, ServiceBusy)):
        headers["Retry-After"] = "5"
    body = printable(error_body(exc))
    if wants_html(request):
        return render(request, "error.html", {"status": status, "body": body}, status_code=status,
                      headers=headers)
    return JSONResponse(body, status_code=status, headers=headers)


async def handle_invalid(request: Request, exc: Exception) -> Response:
    """FastAPI's own parameter checks, in our error shape (field named in ``location``)."""
    assert isinstance(exc, RequestValidationError)
    first = exc.errors()[0]
    field = ".".join(str(p) for p in first.get("loc", ()) if p not in ("query", "body", "path"))
    body = {"error": first.get("msg", "invalid parameter"), "location": {"field": field},
            "problems": [{"error": e.get("msg"), "location": {"field": ".".join(map(str, e.get("loc", ())))}}
                         for e in exc.errors()]}
    return JSONResponse(printable(body), status_code=422)


def install(app: FastAPI) -> None:
    app.add_exception_handler(BigmapKGError, handle)
    app.add_exception_handler(RequestValidationError, handle_invalid)
