"""The start page: what the graph holds and where to go."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from api.deps import Reader, StoreDep
from api.templating import render
from bigmap_kg.queries import get_query

router = APIRouter(include_in_schema=False)


@router.get("/")
async def home(request: Request, store: StoreDep, _: Reader) -> Response:
    result = await run_in_threadpool(get_query("catalogue-counts").run, store)
    counts = [(str(row[result.variables[0]]), row[result.variables[1]]) for row in result.rows]
    return render(request, "home.html", {"counts": counts})
