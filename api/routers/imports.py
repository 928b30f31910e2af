"""Bulk import over HTTP: ``POST /import`` (files in, one batch out, all or nothing, the same
pipeline as ``bigmap-kg import``) and the batches imports make (``GET /batches``,
``DELETE /batches/{name}``).

A partner token imports only entries attributed to its partner, by the rule ``POST /entries``
applies (``bigmap_kg.entries.check_access``), and undoes or replaces only batches whose provenance
attributes them to its partner.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from rdflib import Graph
from starlette.datastructures import FormData, UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser

from api.body import read_body
from api.deps import Reader, SettingsDep, StoreDep, ValidatorDep, WriteLock, Writer, one_at_a_time
from bigmap_kg.access import AccessDenied, Identity
from bigmap_kg.entries import check_access, entry_facts, new_facts
from bigmap_kg.errors import Location, ParseError
from bigmap_kg.importing.batches import Agent, attributed_partner, find_batch, list_batches, undo
from bigmap_kg.importing.formats import ReaderOptions
from bigmap_kg.importing.pipeline import ImportOptions, ImportOutcome, run_import
from bigmap_kg.importing.source import Source
from bigmap_kg.loader import described
from bigmap_kg.namespaces import ID
from bigmap_kg.store import TripleStore
from bigmap_kg.validation import Validator

router = APIRouter(tags=["imports"])

FIELDS = ("files", "dry_run", "replace", "documents")
TRUE, FALSE = ("true", "1", "yes", "on"), ("false", "0", "no", "off", "")
BATCH = "https://w3id.org/bigmap-kg/graph/batch/3f0c9a…"

IMPORT_BODY: dict[str, Any] = {"requestBody": {"required": True, "content": {"multipart/form-data": {
    "schema": {"type": "object", "required": ["files"], "properties": {
        "files": {"type": "array", "description": "the files of ONE import: CSV, XLSX or JSON in the "
                  "templates' columns, InvenioRDM record JSON, BattINFO JSON-LD, .eln / RO-Crate, RDF",
                  "items": {"type": "string", "contentMediaType": "application/octet-stream"}},
        "dry_run": {"type": "boolean", "default": False, "description": "check everything, write nothing"},
        "replace": {"type": "string", "description": "a batch this import corrects and replaces "
                    "(its graph IRI, or the start of its name)"},
        "documents": {"type": "array", "items": {"type": "string"}, "description": "measurement or "
                      "sample ID an InvenioRDM record documents (repeatable)"}}},
    "encoding": {"files": {"contentType": "application/octet-stream"}}}}}}
OUTCOME_EXAMPLE = {
    "summary": f"stored 4 rows, 61 triples in 0.41 s (10 rows/s) as {BATCH}",
    "files": ["samples.csv", "measurements.csv"], "ok": True, "errors": 0, "warnings": 0,
    "problems": [], "batch": BATCH, "written": True, "already_stored": False, "replaced": None,
    "rows": 4, "triples": 61, "seconds": 0.41, "rows_per_second": 9.8}
REFUSED = "refused: 1 error(s); nothing was written"
REFUSED_EXAMPLE = {
    "error": REFUSED, "summary": REFUSED,
    "files": ["measurements.csv"], "ok": False, "errors": 1, "warnings": 0,
    "problems": [{"file": "measurements.csv", "sheet": None, "row": 2, "column": "technique",
                  "value": "Ramen", "message": "unknown technique 'Ramen'",
                  "expected": "one of the closest known: Raman (Raman spectroscopy)",
                  "severity": "error", "code": None}],
    "batch": BATCH, "written": False, "already_stored": False, "replaced": None, "rows": 1, "triples": 5,
    "seconds": 0.33, "rows_per_second": 3.0}
BATCHES_EXAMPLE = [{"graph": BATCH, "time": "2024-05-02T09:14:03+00:00",
                    "partner": "https://w3id.org/bigmap-kg/id/partner/CTH", "agent": "cth-upload-hook",
                    "rows": 4, "triples": 61, "files": "measurements.csv | samples.csv"}]
ACCESS: dict[int | str, dict[str, Any]] = {
    401: {"description": "no token, or a malformed or unknown one; nothing was written"},
    403: {"description": "the token may not write these entries (or change this batch); nothing was written"}}
BatchName = Annotated[str, Path(description="the batch's graph IRI (URL-encoded), or the start of "
                                            "its name after .../graph/batch/", examples=["3f0c9a"])]


@dataclass
class ImportForm:
    """What a ``POST /import`` asks for."""

    sources: list[Source]
    dry_run: bool = False
    replace: str | None = None
    documents: list[str] = field(default_factory=list)


def base_name(name: str | None, index: int) -> str:
    """The file's own name, without any folder a client sent (``../../x.csv`` is ``x.csv``)."""
    last = (name or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    return last if last not in ("", ".", "..") else f"upload-{index}"


async def _multipart(request: Request) -> FormData:
    """The form, read within ``max_upload_bytes`` (413 beyond), before anything is parsed."""
    if not request.headers.get("content-type", "").lower().startswith("multipart/form-data"):
        raise ParseError("send the files as multipart/form-data, one `files` part per file",
                         Location(field="files"),
                         hint="curl -F files=@samples.csv -F files=@measurements.csv")
    raw = await read_body(request)

    async def body() -> AsyncGenerator[bytes, None]:
        yield raw

    try:
        return await MultiPartParser(request.headers, body()).parse()
    except MultiPartException as exc:
        raise ParseError(f"unreadable multipart body: {exc.message}", Location(field="files")) from exc


def _flag(form: FormData, name: str) -> bool:
    values = [str(v).strip().lower() for v in form.getlist(name)]
    if not values:
        return False
    if values[-1] in TRUE + FALSE:
        return values[-1] in TRUE
    raise ParseError(f"{name} must be true or false, not {values[-1]!r}", Location(field=name))


async def _sources(form: FormData) -> list[Source]:
    sources = []
    for index, part in enumerate(form.getlist("files"), start=1):
        if not isinstance(part, UploadFile):
            raise ParseError("every `files` part must be a file (with a filename)", Location(field="files"))
        data = await part.read()
        if part.filename or data:  # a form sent with no file chosen has one empty, nameless part
            sources.append(Source(base_name(part.filename, index), data))
    if not sources:
        raise ParseError("no file to import", Location(field="files"),
                         hint="send each file as a multipart part named `files`")
    return sources


async def import_form(request: Request) -> ImportForm:
    form = await _multipart(request)
    try:
        unknown = sorted(set(form.keys()) - set(FIELDS))
        if unknown:
            raise ParseError(f"unknown form field {unknown[0]!r}", Location(field=unknown[0]),
                             hint=f"the fields are {', '.join(FIELDS)}")
        replace = [str(v).strip() for v in form.getlist("replace") if str(v).strip()]
        documents = [str(v).strip() for v in form.getlist("documents") if str(v).strip()]
        return ImportForm(await _sources(form), _flag(form, "dry_run"), replace[-1] if replace else None,
                          documents)
    finally:
        await form.close()


def authoriser(store: TripleStore, validator: Validator, who: Identity) -> Callable[[Graph], None] | None:
    """The check of ``POST /entries`` on every entry an import maps: a partner writes only entries
    attributed to it (as sent and as stored); an admin writes anything."""
    if who.is_admin:
        return None

    def authorise(graph: Graph) -> None:
        # our entries only: foreign IRIs a document keeps (a BattINFO creator's ORCID) are no entry
        ours = [iri for iri in described(graph) if str(iri).startswith(str(ID))]
        facts = new_facts(graph, validator.ontology, store)
        check_access(who, {iri: f for iri, f in facts.items() if iri in ours}, entry_facts(store, ours))

    return authorise


def may_change_batch(store: TripleStore, who: Identity, batch: str) -> None:
    """An admin undoes or replaces any batch; a partner only one attributed to its partner."""
    if who.is_admin:
        return
    owner = attributed_partner(store, batch)
    if owner is None or owner != who.partner:
        whose = str(owner).rsplit("/", 1)[-1] if owner is not None else "no partner"
        raise AccessDenied(f"the partner token {who.name!r} may not change the batch {batch}: "
                           f"it is attributed to {whose}", Location(iri=batch),
                           hint="a partner token undoes or replaces only the batches imported for its "
                                "partner; anything else needs an admin token")


def _import(store: TripleStore, sources: list[Source], options: ImportOptions, validator: Validator,
            who: Identity) -> ImportOutcome:
    if options.replace is not None:
        may_change_batch(store, who, find_batch(store, options.replace))
    return run_import(store, sources, options, validator)


def _undo(store: TripleStore, name: str, who: Identity, force: bool) -> str:
    batch = find_batch(store, name)
    may_change_batch(store, who, batch)
    if force and not who.is_admin:
        raise AccessDenied("only an admin token may force an undo: other partners' entries refer to "
                           "this batch's entries", Location(iri=batch),
                           hint="undo without force to see them, or ask an admin")
    return undo(store, batch, force=force)


@router.post("/import", summary="Import files as one batch", openapi_extra=IMPORT_BODY, responses={
    200: {"description": "stored as one batch (`written`), or stored before (`already_stored`), or, on a "
                         "dry run, valid (nothing written)",
          "content": {"application/json": {"example": OUTCOME_EXAMPLE}}},
    400: {"description": "not multipart/form-data, no `files` part, or an unknown form field"},
    404: {"description": "`replace` names no stored batch"},
    413: {"description": "the upload is larger than max_upload_bytes"},
    422: {"description": "the files have errors; nothing was written. `problems` lists every problem "
                         "with its file, sheet, row, column, value and what was expected",
          "content": {"application/json": {"example": REFUSED_EXAMPLE}}},
    **ACCESS})
async def post_import(request: Request, store: StoreDep, validator: ValidatorDep, who: Writer,
                      lock: WriteLock, settings: SettingsDep) -> JSONResponse:
    """Read, map, resolve, check and validate the files like `bigmap-kg import`, and store them as ONE
    batch graph with its provenance (the token's name and partner), or nothing while any error remains."""
    form = await import_form(request)
    options = ImportOptions(dry_run=form.dry_run, replace=form.replace,
                            agent=Agent(who.name, None if who.is_admin else who.partner),
                            readers=ReaderOptions(form.documents, dict(settings.jsonld_contexts)),
                            authorise=authoriser(store, validator, who))
    outcome = await run_in_threadpool(one_at_a_time, lock, _import, store, form.sources, options,
                                      validator, who)
    body = {"summary": outcome.summary(), **outcome.to_dict()}
    if not outcome.report.ok:
        return JSONResponse({"error": outcome.summary(), **body}, status_code=422)
    return JSONResponse(body)


@router.get("/batches", summary="The import batches", responses={
    200: {"description": "every batch: graph, time, partner, agent, rows, triples and files (imports "
                         "first, oldest first; then batches written by /entries, graph only)",
          "content": {"application/json": {"example": BATCHES_EXAMPLE}}}})
async def batches(store: StoreDep, _: Reader) -> JSONResponse:
    """The batch graphs with their provenance, as `bigmap-kg batches` lists them."""
    found = await run_in_threadpool(list_batches, store)
    return JSONResponse([b.to_dict() for b in found])


@router.delete("/batches/{name:path}", summary="Undo an import batch", responses={
    200: {"description": "removed; the batch's graph IRI",
          "content": {"application/json": {"example": {"batch": BATCH, "removed": True}}}},
    404: {"description": "no such batch (or the name is the start of several)"},
    409: {"description": "entries of other batches refer to entries of this batch (`force` removes it "
                         "anyway)"},
    **ACCESS})
async def remove_batch(name: BatchName, store: StoreDep, who: Writer, lock: WriteLock,
                       force: Annotated[bool, Query(description="remove it even when other entries "
                                                    "refer to its entries")] = False) -> JSONResponse:
    """Remove a whole batch in one transaction: an admin any batch, a partner its own imports."""
    batch = await run_in_threadpool(one_at_a_time, lock, _undo, store, name, who, force)
    return JSONResponse({"batch": batch, "removed": True})


@router.get("/context.jsonld", summary="The JSON-LD @context of the import templates", responses={
    200: {"description": "the context that maps the templates' plain keys to the ontology's properties "
                         "(published as https://w3id.org/bigmap-kg/import/context.jsonld)",
          "content": {"application/ld+json": {}}}})
async def import_context() -> JSONResponse:
    """The `@context` a JSON template names, so that its plain keys read as JSON-LD."""
    from bigmap_kg.importing.templates import context_document

    return JSONResponse(context_document(), media_type="application/ld+json")
