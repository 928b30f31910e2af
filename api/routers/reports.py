"""Reports generated from the graph, as JSON, CSV, Markdown or an HTML page."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response

from api.deps import Reader, StoreDep
from api.negotiation import report_format, report_response, wants_html
from api.templating import render
from bigmap_kg.reports import REPORTS, get_report

router = APIRouter(tags=["reports"])


@router.get("/reports", summary="The reports")
async def reports(request: Request, _: Reader) -> Response:
    """The reports by name; a browser gets the reports page."""
    items = [{"name": r.name, "title": r.title, "description": r.description,
              "per_request": r.per_request, "url": f"/reports/{r.name}"} for r in REPORTS.values()]
    if wants_html(request):
        return render(request, "reports.html", {"reports": items})
    return JSONResponse(items)


@router.get("/reports/{name}", summary="One report",
            responses={200: {"content": {"application/json": {}, "text/csv": {}, "text/markdown": {},
                                         "text/html": {}}},
                       404: {"description": "no such report, or no such request"}})
async def report(
    name: str, request: Request, store: StoreDep, _: Reader,
    request_id: Annotated[str | None, Query(alias="request", description="one stored request "
                                            "(default: all); for the per-request reports")] = None,
    fmt: Annotated[str | None, Query(alias="format", description="json, csv, md or html "
                                     "(default: from Accept, else json)")] = None,
) -> Response:
    """Missing observables, discarded instruments (over the stored requests, or one) and archive
    completeness."""
    chosen = get_report(name)
    out = report_format(request, fmt)
    text = await run_in_threadpool(chosen.make, store, request_id, out)
    return report_response(request, text, out, chosen.title)
