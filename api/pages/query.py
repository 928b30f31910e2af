"""The SPARQL page: the YASGUI editor on ``/sparql``, the named queries as ready examples, and a
plain form for browsers without JavaScript."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from api.deps import Reader
from api.templating import render
from bigmap_kg.queries import NamedQuery, example_text, list_queries

router = APIRouter(include_in_schema=False)

# the ``format`` values /sparql takes: results for SELECT and ASK, RDF for CONSTRUCT and DESCRIBE
FORMATS = [("json", "SPARQL results JSON"), ("csv", "CSV"), ("tsv", "TSV"), ("xml", "SPARQL results XML"),
           ("turtle", "Turtle (CONSTRUCT, DESCRIBE)"), ("ntriples", "N-Triples (CONSTRUCT, DESCRIBE)"),
           ("jsonld", "JSON-LD (CONSTRUCT, DESCRIBE)")]
STARTER = "catalogue-counts"


@dataclass
class Example:
    """A named query as the page offers it: its header, and a text that runs as it stands."""

    query: NamedQuery
    text: str


def examples() -> list[Example]:
    return [Example(q, example_text(q)) for q in list_queries()]


@router.get("/query")
async def query_page(
    request: Request, _: Reader,
    example: Annotated[str | None, Query(description="the named query shown first")] = None,
) -> Response:
    found = await run_in_threadpool(examples)
    by_name = {e.query.name: e for e in found}
    chosen = by_name.get(example or STARTER) or by_name.get(STARTER) or found[0]
    texts = {e.query.name: e.text for e in found}
    return render(request, "query.html",
                  {"examples": found, "chosen": chosen, "texts": texts, "formats": FORMATS})
