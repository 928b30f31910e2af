"""The experimental matrix as a filterable table (D5.1 section 2.5). The filters are a plain GET
form, so a filtered matrix can be linked and works without JavaScript."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from api.deps import Reader, StoreDep
from api.templating import render
from bigmap_kg.browse.matrix_filters import FACETS, MatrixFilters, matrix_view

router = APIRouter(include_in_schema=False)


@router.get("/matrix")
async def matrix(request: Request, store: StoreDep, _: Reader) -> Response:
    filters = MatrixFilters.of({key: request.query_params.get(key) for key in (*FACETS, "operando")})
    view = await run_in_threadpool(matrix_view, store, filters)
    return render(request, "matrix.html", {"view": view})
