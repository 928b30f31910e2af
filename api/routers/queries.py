"""The named queries of ``queries/`` with their parameters, and their answers."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response

from api.deps import Reader, StoreDep
from api.negotiation import report_format, report_response
from bigmap_kg.output import named_query_report
from bigmap_kg.queries import get_query, list_queries

router = APIRouter(tags=["queries"])


def _describe(name: str) -> dict[str, Any]:
    q = get_query(name)
    return {"name": q.name, "title": q.title, "description": q.description,
            "parameters": [{"name": p.name, "description": p.description, "required": p.required,
                            "type": p.type, "example": p.example} for p in q.parameters],
            "columns": q.columns, "url": f"/queries/{q.name}"}


@router.get("/queries", summary="The named queries")
async def queries(_: Reader) -> JSONResponse:
    """Every named query: name, title, description, parameters (with an example) and columns."""
    return JSONResponse([_describe(q.name) for q in list_queries()])


@router.get("/queries/{name}", summary="Run a named query",
            responses={200: {"content": {"application/json": {}, "text/csv": {}, "text/markdown": {},
                                         "text/html": {}}},
                       404: {"description": "no such query, or an unknown parameter"}})
async def run_query(
    name: str, request: Request, store: StoreDep, _: Reader,
    fmt: Annotated[str | None, Query(alias="format", description="json, csv, md or html")] = None,
) -> Response:
    """The answer, its parameters given as query parameters (``/queries/who-measured-material?material=LNO``).
    JSON is an array of objects keyed by the columns; things are ``{"iri", "label"}``."""
    query = get_query(name)
    values = {k: v for k, v in request.query_params.items() if k != "format"}
    chosen = report_format(request, fmt)
    text = await run_in_threadpool(named_query_report, store, query.name, values, chosen)
    return report_response(request, text, chosen, query.title)
