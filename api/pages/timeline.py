"""The timeline page: the logbook's experiments and shipments as a Gantt chart (D5.3 Figure 19)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from api.deps import Reader, StoreDep
from api.templating import render
from bigmap_kg.timeline import load_timeline
from bigmap_kg.timeline_svg import legend, timeline_svg

router = APIRouter(include_in_schema=False)


@router.get("/timeline")
async def timeline(request: Request, store: StoreDep, _: Reader) -> Response:
    found = await run_in_threadpool(load_timeline, store)
    return render(request, "timeline.html", {
        "timeline": found, "svg": timeline_svg(found), "colours": legend(found)})


@router.get("/timeline.svg")
async def timeline_image(store: StoreDep, _: Reader) -> Response:
    found = await run_in_threadpool(load_timeline, store)
    svg = timeline_svg(found)
    if svg is None:
        return Response("the graph records no date for any experiment or shipment\n", status_code=404,
                        media_type="text/plain")
    return Response(svg, media_type="image/svg+xml")
