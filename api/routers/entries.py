"""Entries: validated uploads (``/entries``), the upload-hook check (``/validate``), and reading
one entry back with content negotiation."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from rdflib import Graph, URIRef

from api.body import read_body
from api.deps import Reader, StoreDep, ValidatorDep, WriteLock, Writer, one_at_a_time
from bigmap_kg.entries import EntryWrite, create_entries, delete_entry, describe_entry, replace_entry
from bigmap_kg.errors import Location, ParseError
from bigmap_kg.loader import validate_against_store
from bigmap_kg.namespaces import ID
from bigmap_kg.parsing import MEDIA_TYPES, parse_bytes
from bigmap_kg.sparql_results import GRAPH_TYPES, choose_format, graph_bytes
from bigmap_kg.store.base import is_iri

router = APIRouter(tags=["entries"])

TURTLE_EXAMPLE = """@prefix bmk: <https://w3id.org/bigmap-kg/ontology#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix sample: <https://w3id.org/bigmap-kg/id/sample/> .
sample:cth-lno-pristine-2 a bmk:Sample ;
    skos:prefLabel "LNO pristine electrode, second batch"@en ;
    bmk:identifier "CTH-LNO-0002" ;
    bmk:sampleShape bmk:ElectrodeShape ;
    bmk:madeOf <https://w3id.org/bigmap-kg/id/material/lno> ;
    bmk:preparedBy <https://w3id.org/bigmap-kg/id/partner/CTH> .
"""
UPLOAD_BODY: dict[str, Any] = {"requestBody": {"required": True, "content": {
    **{media: {"schema": {"type": "string"}} for media in MEDIA_TYPES},
    "text/turtle": {"schema": {"type": "string"}, "example": TURTLE_EXAMPLE}}}}
REPORT = {"description": "the shapes were broken; nothing was written. `report.results` lists "
                         "focus node, path, value, message and severity of each problem"}
ACCESS: dict[int | str, dict[str, Any]] = {
    401: {"description": "no token, or a malformed or unknown one; nothing was written"},
    403: {"description": "the token may not write these entries; nothing was written"}}
EntryId = Annotated[str, Path(description="the IRI after https://w3id.org/bigmap-kg/id/ "
                                          "(sample/fzj-lno-aged-electrode), or the whole IRI",
                              examples=["sample/fzj-lno-aged-electrode"])]


def entry_iri(entry_id: str) -> URIRef:
    text = entry_id if entry_id.startswith(("http://", "https://", "urn:")) else str(ID[entry_id.strip("/")])
    if not is_iri(text):
        raise ParseError(f"not an entry id or IRI: {entry_id!r}", Location(field="entry_id"),
                         hint="give the IRI after https://w3id.org/bigmap-kg/id/, or the whole IRI")
    return URIRef(text)


async def _payload(request: Request, fmt: str | None) -> tuple[Graph, str]:
    media = fmt or request.headers.get("content-type") or ""
    if not media:
        raise ParseError("say what the body is: Content-Type text/turtle or application/ld+json",
                         hint="or add ?format=turtle")
    raw = await read_body(request)
    source = request.headers.get("x-source-file") or "request body"
    return await run_in_threadpool(parse_bytes, raw, source, media), source


def _written(result: EntryWrite) -> dict[str, Any]:
    return {"iris": result.iris, "graph": result.result.graph, "triples": result.result.triples,
            "written": result.result.written,
            "warnings": [w.__dict__ for w in result.result.report.warnings]}


FormatQuery = Annotated[str | None, Query(
    alias="format", description="the body's format when Content-Type does not say: turtle, jsonld, ntriples")]


@router.post("/entries", status_code=201, openapi_extra=UPLOAD_BODY,
             responses={201: {"description": "stored; the new entries' IRIs and their batch graph"},
                        200: {"description": "the same content was stored before; nothing changed"},
                        400: {"description": "unreadable body (syntax error with line and column)"},
                        409: {"description": "an entry exists already (change it with PUT)"},
                        422: REPORT, **ACCESS})
async def post_entries(request: Request, store: StoreDep, validator: ValidatorDep, who: Writer,
                       lock: WriteLock, fmt: FormatQuery = None) -> Response:
    """Validate new entries (Turtle, JSON-LD, N-Triples) and store them as one batch."""
    data, source = await _payload(request, fmt)
    result = await run_in_threadpool(one_at_a_time, lock, create_entries, store, data, validator, who, source)
    return JSONResponse(_written(result), status_code=201 if result.result.written else 200)


@router.put("/entries/{entry_id:path}", openapi_extra=UPLOAD_BODY,
            responses={200: {"description": "replaced"}, 404: {"description": "no such entry to change"},
                       422: REPORT, **ACCESS})
async def put_entry(entry_id: EntryId, request: Request, store: StoreDep, validator: ValidatorDep,
                    who: Writer, lock: WriteLock, fmt: FormatQuery = None) -> Response:
    """Replace one entry's description (the IRI's triples and its blank nodes) by the body."""
    data, source = await _payload(request, fmt)
    result = await run_in_threadpool(one_at_a_time, lock, replace_entry, store, entry_iri(entry_id), data,
                                     validator, who, source)
    return JSONResponse(_written(result))


@router.delete("/entries/{entry_id:path}", status_code=204,
               responses={204: {"description": "deleted"}, 404: {"description": "no such entry"}, **ACCESS})
async def remove_entry(entry_id: EntryId, store: StoreDep, who: Writer, lock: WriteLock) -> Response:
    """Delete one entry's description. Links to it from other entries stay."""
    await run_in_threadpool(one_at_a_time, lock, delete_entry, store, entry_iri(entry_id), who)
    return Response(status_code=204)


@router.get("/entries/{entry_id:path}",
            responses={200: {"description": "the entry's description",
                             "content": {t: {} for t in GRAPH_TYPES.values()}},
                       404: {"description": "no such entry"}})
async def get_entry(entry_id: EntryId, request: Request, store: StoreDep, _: Reader,
                    fmt: Annotated[str | None, Query(alias="format", description="turtle, ntriples, jsonld, "
                                                     "rdfxml (overrides Accept)")] = None) -> Response:
    """One entry as Turtle, N-Triples, JSON-LD or RDF/XML (Accept header or ``format``)."""
    graph = await run_in_threadpool(describe_entry, store, entry_iri(entry_id))
    name = choose_format("graph", request.headers.get("accept"), fmt)
    return Response(graph_bytes(graph, name), media_type=GRAPH_TYPES[name])


@router.post("/validate", openapi_extra=UPLOAD_BODY,
             responses={200: {"description": "conforms (warnings may be listed)"},
                        400: {"description": "unreadable body"}, 422: REPORT})
async def validate(request: Request, store: StoreDep, validator: ValidatorDep, _: Reader,
                   fmt: FormatQuery = None,
                   standalone: Annotated[bool, Query(description="check the data alone, without "
                                                     "resolving its links against the store")] = False
                   ) -> Response:
    """Check data against the shapes without storing it: the call an upload hook makes."""
    data, source = await _payload(request, fmt)
    if standalone:
        report = await run_in_threadpool(lambda: validator.validate(data, source=source))
    else:
        report = await run_in_threadpool(validate_against_store, store, data, validator, source)
    body = {"conforms": report.conforms, "report": report.to_dict()}
    if not report.conforms:
        body["error"] = f"{len(report.violations)} violation(s) of the shapes"
    return JSONResponse(body, status_code=200 if report.conforms else 422)
