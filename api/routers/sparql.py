"""SPARQL 1.1 Protocol: ``/sparql`` answers queries (read-only), ``/sparql/update`` runs
updates with an admin token."""

from __future__ import annotations

from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import QueryParams

from api.body import read_body, utf8
from api.deps import Admin, StoreDep, WriteLock, bearer, one_at_a_time, read_access
from api.negotiation import wants_html
from bigmap_kg.errors import Location, ParseError
from bigmap_kg.nesting import MAX_DEPTH
from bigmap_kg.service_description import service_description
from bigmap_kg.sparql_protocol import QueryRunner
from bigmap_kg.sparql_results import choose_format, graph_bytes, media_type, serialize
from bigmap_kg.sparql_text import is_update, nesting, query_form, uses_service
from bigmap_kg.store.base import is_iri

router = APIRouter(tags=["sparql"])
SMALL_ANSWER = 200  # rows written on the event loop (about 0.1 ms for 10 rows)

QUERY_EXAMPLE = "SELECT ?technique ?label WHERE { ?technique a bmk:Technique ; skos:prefLabel ?label }"
UPDATE_EXAMPLE = "INSERT DATA { GRAPH <urn:example:notes> { <urn:example:a> <urn:example:b> 1 } }"
# The query endpoint reads its parameters itself (declared for the schema below): FastAPI's
# resolution of typed parameters and of the token's dependency chain cost about 0.5 ms a
# request, as much as a point look-up's whole answer from an Oxigraph server.
_GRAPH_LISTS = (("default-graph-uri", "graphs that make the default graph"),
                ("named-graph-uri", "graphs that GRAPH patterns may use"))
GRAPH_PARAMETERS: list[dict[str, object]] = [
    {"name": name, "in": "query", "required": False, "description": text, "style": "form", "explode": True,
     "schema": {"type": "array", "items": {"type": "string"}}} for name, text in _GRAPH_LISTS] + [
    {"name": "format", "in": "query", "required": False, "schema": {"type": "string"},
     "description": "result format, overriding Accept: json, xml, csv, tsv; turtle, ntriples, jsonld"}]
QUERY_PARAMETERS: list[dict[str, object]] = [
    {"name": "query", "in": "query", "required": False, "description": "a SPARQL 1.1 query",
     "schema": {"type": "string"}, "example": QUERY_EXAMPLE}, *GRAPH_PARAMETERS]


def protocol_operation(parameters: list[dict[str, object]], extra: dict[str, object] | None = None
                       ) -> dict[str, object]:
    """The schema of a query operation: its parameters, and the token it may carry."""
    return {"parameters": parameters, "security": [{bearer.scheme_name: []}], **(extra or {})}


def _one(values: list[str], name: str) -> str | None:
    if len(values) > 1:
        raise ParseError(f"{name} is given {len(values)} times; send it once", Location(field=name))
    return values[0] if values else None


def _graphs(params: QueryParams) -> tuple[list[str] | None, list[str] | None]:
    return (params.getlist("default-graph-uri") or None, params.getlist("named-graph-uri") or None)


RESPONSES: dict[int | str, dict[str, object]] = {
    200: {"description": "the answer, in the negotiated format",
          "content": {t: {} for t in ("application/sparql-results+json", "application/sparql-results+xml",
                                      "text/csv", "text/tab-separated-values", "text/turtle",
                                      "application/n-triples", "application/ld+json")}},
    400: {"description": "syntax error, an update sent to the query endpoint, or too many rows"},
    406: {"description": "no accepted format can carry this kind of answer"},
    503: {"description": "the query ran past the time limit, or every worker is busy"},
}


async def _answer(request: Request, text: str, graphs: list[str] | None,
                  named: list[str] | None, fmt: str | None) -> Response:
    runner: QueryRunner = request.app.state.runner
    if is_update(text):
        raise ParseError("the query endpoint is read-only; this is an update",
                         hint="send updates to /sparql/update with an admin token")
    if uses_service(text) and not request.app.state.settings.allow_service:
        raise ParseError("federated queries (SERVICE) are switched off on this service",
                         hint="ask the operator to set allow_service = true")
    if nesting(text) > MAX_DEPTH:  # also in front of a remote server, which may crash on it too
        raise ParseError(f"the query is nested more than {MAX_DEPTH} levels deep")
    for name, values in (("default-graph-uri", graphs), ("named-graph-uri", named)):
        for value in values or []:
            if not is_iri(value):
                raise ParseError(f"{name} must be an absolute IRI, not {value!r}", Location(field=name))
    form = query_form(text)
    expected = {"SELECT": "select", "ASK": "ask"}.get(form, "graph")
    name = choose_format(expected, request.headers.get("accept"), fmt)  # 406 before evaluating
    outcome = await runner.run_async(text, graphs, named, name)
    if outcome.native is not None:
        return Response(outcome.native, media_type=media_type(outcome.kind, name))
    name = choose_format(outcome.kind, request.headers.get("accept"), fmt)
    # a small answer is written at once; a large one off the event loop
    body = (serialize(outcome, name) if len(outcome.rows) <= SMALL_ANSWER
            else await run_in_threadpool(serialize, outcome, name))
    return Response(body, media_type=media_type(outcome.kind, name))


@router.get("/sparql", responses=RESPONSES, summary="Query (GET), or the service description",
            openapi_extra=protocol_operation(QUERY_PARAMETERS))
async def sparql_get(request: Request) -> Response:
    """Without ``query``: the SPARQL service description (Turtle), or the query page for a browser."""
    await read_access(request)
    params = request.query_params
    query = _one(params.getlist("query"), "query")
    fmt = _one(params.getlist("format"), "format")
    if query is None:
        if wants_html(request):
            return RedirectResponse("/query", status_code=303)
        accept = request.headers.get("accept")
        name = choose_format("graph", accept, fmt)
        graph = service_description(str(request.url_for("sparql_get")))
        return Response(graph_bytes(graph, name), media_type=media_type("graph", name))
    return await _answer(request, query, *_graphs(params), fmt)


@router.post("/sparql", responses=RESPONSES, summary="Query (POST, form-encoded or application/sparql-query)",
             openapi_extra=protocol_operation(GRAPH_PARAMETERS, {"requestBody": {"content": {
                 "application/sparql-query": {"schema": {"type": "string"}, "example": QUERY_EXAMPLE},
                 "application/x-www-form-urlencoded": {"schema": {
                     "type": "object", "required": ["query"],
                     "properties": {"query": {"type": "string"},
                                    "default-graph-uri": {"type": "array", "items": {"type": "string"}},
                                    "named-graph-uri": {"type": "array", "items": {"type": "string"}}}}}}}}))
async def sparql_post(request: Request) -> Response:
    await read_access(request)
    text, form = await _protocol_body(request, "query", "application/sparql-query")
    graphs, named = _graphs(request.query_params)
    fmt = _one(request.query_params.getlist("format"), "format")
    return await _answer(request, text, form.get("default-graph-uri", graphs),
                         form.get("named-graph-uri", named), fmt)


@router.post("/sparql/update", status_code=204, summary="Update (admin token)",
             responses={204: {"description": "done"}, 400: {"description": "syntax error"},
                        401: {"description": "no token, or a malformed or unknown one"},
                        403: {"description": "not an admin token"}},
             openapi_extra={"requestBody": {"content": {
                 "application/sparql-update": {"schema": {"type": "string"}, "example": UPDATE_EXAMPLE},
                 "application/x-www-form-urlencoded": {"schema": {
                     "type": "object", "required": ["update"],
                     "properties": {"update": {"type": "string"}}}}}}})
async def sparql_update(request: Request, store: StoreDep, _: Admin, lock: WriteLock) -> Response:
    """A raw SPARQL update bypasses the shapes and the per-partner attribution, so only an admin
    token may send one; partners write through ``/entries``."""
    text, _form = await _protocol_body(request, "update", "application/sparql-update")
    if not is_update(text):
        raise ParseError("this is a query, not an update", hint="send queries to /sparql")
    await run_in_threadpool(one_at_a_time, lock, store.update, text)
    return Response(status_code=204)


async def _protocol_body(request: Request, key: str, direct: str) -> tuple[str, dict[str, list[str]]]:
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    raw = await read_body(request)
    if kind == direct:
        return utf8(raw), {}
    if kind == "application/x-www-form-urlencoded":
        form = parse_qs(utf8(raw), keep_blank_values=True)
        if not form.get(key):
            raise ParseError(f"the form has no {key!r} field", hint=f"send {key}=<SPARQL text>")
        return form[key][0], form
    raise ParseError(f"unsupported content type {kind or '(none)'!r}",
                     hint=f"send {direct} or application/x-www-form-urlencoded")


