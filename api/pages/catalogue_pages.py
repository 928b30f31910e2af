"""One page per technique, instrument, cell and partner, and the cell and partner indexes.
``{id}`` is the last part of the entity's IRI (``/techniques/x-ray-diffraction``,
``/partners/CTH``); an unknown one is a 404."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from api.deps import Reader, StoreDep
from api.templating import render
from bigmap_kg.browse.cell import CellFilters, cell_index, cell_page
from bigmap_kg.browse.instrument import instrument_page
from bigmap_kg.browse.partner import partner_index, partner_page
from bigmap_kg.browse.technique import technique_page

router = APIRouter(include_in_schema=False)


@router.get("/techniques/{ident}")
async def technique(request: Request, ident: str, store: StoreDep, _: Reader) -> Response:
    page = await run_in_threadpool(technique_page, store, ident)
    return render(request, "technique.html", {"page": page})


@router.get("/instruments/{ident}")
async def instrument(request: Request, ident: str, store: StoreDep, _: Reader) -> Response:
    page = await run_in_threadpool(instrument_page, store, ident)
    return render(request, "instrument.html", {"page": page})


@router.get("/cells")
async def cells(request: Request, store: StoreDep, _: Reader) -> Response:
    filters = CellFilters.of({key: request.query_params.get(key) for key in ("partner", "status", "sheet")})
    every = await run_in_threadpool(cell_index, store)
    return render(request, "cells.html", {"cells": filters.apply(every), "total": len(every),
                                          "filters": filters, "partners": CellFilters.partners_of(every)})


@router.get("/cells/{ident}")
async def cell(request: Request, ident: str, store: StoreDep, _: Reader) -> Response:
    page = await run_in_threadpool(cell_page, store, ident)
    return render(request, "cell.html", {"cell": page})


@router.get("/partners")
async def partners(request: Request, store: StoreDep, _: Reader) -> Response:
    summaries = await run_in_threadpool(partner_index, store)
    return render(request, "partners.html", {"partners": summaries})


@router.get("/partners/{ident}")
async def partner(request: Request, ident: str, store: StoreDep, _: Reader) -> Response:
    page = await run_in_threadpool(partner_page, store, ident)
    return render(request, "partner.html", {"page": page})
