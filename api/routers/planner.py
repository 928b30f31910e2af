"""Characterisation requests (stored, validated) and plans (computed, not stored)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response

from api.body import read_body, utf8
from api.deps import Reader, StoreDep, ValidatorDep, WriteLock, Writer, one_at_a_time
from api.negotiation import report_response
from bigmap_kg.access import AccessDenied, Identity
from bigmap_kg.errors import Location, ParseError, UnknownReference
from bigmap_kg.output import labels_of
from bigmap_kg.planner_report import plan_report, render_plan_report, request_summary
from bigmap_kg.requests import Named, add_request, parse_request, stored_requests
from bigmap_kg.requests import Request as CharacterisationRequest
from bigmap_kg.store import TripleStore

router = APIRouter(tags=["planner"])

REQUEST_EXAMPLE = {
    "id": "operando-cracking", "title": "Secondary-particle cracking, operando (D5.5 section 2.2)",
    "observables": ["particle cracking"], "sample_shape": "electrode",
    "region_of_interest": {"kind": "single particle", "size": "10 µm"},
    "operando": True, "time_resolution": "2 min", "fidelity": "high", "cost": "any",
}
REQUEST_BODY: dict[str, Any] = {"requestBody": {"required": True, "content": {
    "application/json": {"schema": {"type": "object"}, "example": REQUEST_EXAMPLE},
    "application/yaml": {"schema": {"type": "string"}}}}}
PROBLEMS = {"description": "the request breaks a rule: `problems` lists each, with the field it names"}


async def _request(request: Request, store: TripleStore) -> CharacterisationRequest:
    raw = await read_body(request)
    media = request.headers.get("content-type", "application/json").split(";")[0].strip()
    if media not in ("application/json", "application/yaml", "application/x-yaml", "text/yaml"):
        raise ParseError(f"unsupported content type {media!r}",
                         hint="send application/json or application/yaml")
    return await run_in_threadpool(parse_request, utf8(raw), "request body", store)


@router.post("/requests", status_code=201, openapi_extra=REQUEST_BODY,
             responses={201: {"description": "stored"}, 409: {"description": "the id is taken"},
                        422: PROBLEMS, 401: {"description": "no valid token"},
                        403: {"description": "the request is another partner's"}})
async def add(request: Request, store: StoreDep, validator: ValidatorDep, who: Writer,
              lock: WriteLock) -> JSONResponse:
    """Store a characterisation request (the D5.5 section 2.1 form, as JSON or YAML). A partner
    token's request is attributed to its partner; naming another author is refused."""
    req = await _request(request, store)
    req = await run_in_threadpool(_attributed, store, req, who)
    result = await run_in_threadpool(one_at_a_time, lock, add_request, store, req, validator, "request body")
    return JSONResponse({**request_summary(req), "graph": result.graph}, status_code=201)


def _attributed(store: TripleStore, req: CharacterisationRequest, who: Identity) -> CharacterisationRequest:
    if who.is_admin:
        return req
    if req.author is not None and req.author.iri != who.partner:
        raise AccessDenied(f"the request names {req.author.label} as author; the token {who.name!r} "
                           "writes for another partner", Location(field="author"))
    if req.author is None and who.partner is not None:
        label = labels_of(store, {who.partner}).get(who.partner, who.partner.rsplit("/", 1)[-1])
        req.author = Named(who.partner, label)
    return req


@router.get("/requests", summary="The stored requests")
async def list_requests(store: StoreDep, _: Reader) -> JSONResponse:
    found = await run_in_threadpool(stored_requests, store)
    return JSONResponse([request_summary(r) for r in found])


@router.get("/requests/{request_id}", summary="One stored request",
            responses={404: {"description": "no such request"}})
async def get_request(request_id: str, store: StoreDep, _: Reader) -> JSONResponse:
    found = await run_in_threadpool(stored_requests, store, request_id)
    if not found:
        raise UnknownReference(f"no stored request {request_id!r}", Location(field="request_id"))
    return JSONResponse(request_summary(found[0]))


@router.post("/plan", openapi_extra=REQUEST_BODY,
             responses={200: {"description": "kept, discarded and undecided instruments, missing "
                                             "observables and ranked plans",
                              "content": {"application/json": {}, "text/markdown": {}, "text/html": {}}},
                        422: PROBLEMS})
async def plan(
    request: Request, store: StoreDep, _: Reader,
    limit: Annotated[int, Query(ge=1, le=50, description="how many plans")] = 5,
    include_undecided: Annotated[bool, Query(description="also plan with undecided instruments")] = False,
    fmt: Annotated[str, Query(alias="format", pattern="^(json|md|html)$")] = "json",
    stored: Annotated[str | None, Query(
        description="plan a stored request by id instead of the body")] = None,
) -> Response:
    """Run the D5.5 filtering process and rank measurement plans for a request (nothing is stored)."""
    if stored is not None:
        found = await run_in_threadpool(stored_requests, store, stored)
        if not found:
            raise UnknownReference(f"no stored request {stored!r}", Location(field="stored"))
        req = found[0]
    else:
        req = await _request(request, store)
    report = await run_in_threadpool(plan_report, store, req, limit, include_undecided)
    if fmt == "json":
        return JSONResponse(report)
    text = render_plan_report(report, fmt)
    return report_response(request, text, fmt, f"Measurement plans for request {req.id}")

