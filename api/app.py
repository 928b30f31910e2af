"""The app factory: settings in, a FastAPI app out (no state is created at import)."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from api import errors
from api.pages import ROUTERS as PAGE_ROUTERS
from api.routers import ROUTERS as API_ROUTERS
from api.templating import static_dir
from bigmap_kg import __version__
from bigmap_kg.access import TokenBook
from bigmap_kg.settings import Settings
from bigmap_kg.sparql_protocol import QueryRunner
from bigmap_kg.store import TripleStore, store_from_settings
from bigmap_kg.validation import Validator

DESCRIPTION = """
The BIG-MAP battery-characterisation knowledge graph: the D5.1 capability catalogue, the D5.3
logbook and D5.5 characterisation requests as one validated RDF graph.

* **SPARQL 1.1 Protocol** at `/sparql` (read-only) and `/sparql/update` (admin token).
* **Entries**: `POST /entries` stores Turtle or JSON-LD after SHACL validation; `POST /validate`
  checks without storing (the call an upload hook makes).
* **Bulk import**: `POST /import` takes the CSV / XLSX / JSON templates, InvenioRDM records,
  BattINFO JSON-LD and `.eln` archives as one all-or-nothing batch; `GET /batches`,
  `DELETE /batches/{name}`.
* **Named queries**, **reports**, **characterisation requests** and **plans**.

Writes need a bearer token (`Authorization: Bearer bmk_...`), issued by the operator with
`bigmap-kg token add`. A partner token writes only entries attributed to its partner.
"""

TAGS = [
    {"name": "sparql", "description": "SPARQL 1.1 Protocol: query (read-only) and update."},
    {"name": "entries", "description": "Validated uploads, one entry per IRI."},
    {"name": "queries", "description": "The named queries of `queries/`, with their parameters."},
    {"name": "reports", "description": "Reports generated from the graph."},
    {"name": "planner", "description": "Characterisation requests, filtering and measurement plans."},
    {"name": "imports", "description": "Bulk import of templates, records, crates (all or nothing), and "
                                       "the batches it made."},
]


def create_app(settings: Settings | None = None, store: TripleStore | None = None) -> FastAPI:
    """The service on ``store`` (else the store the settings name, opened at start-up)."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        own = store is None
        app.state.store = store if store is not None else store_from_settings(settings)
        app.state.runner = QueryRunner(app.state.store, timeout=settings.query_timeout,
                                       limit=settings.result_limit, workers=settings.query_workers)
        try:
            yield
        finally:
            if own:
                app.state.store.close()

    # The default /docs and /redoc load their scripts from a CDN; api/pages/api_docs.py serves
    # Swagger UI from the package instead.
    app = FastAPI(title="bigmap-kg", version=__version__, description=DESCRIPTION,
                  openapi_tags=TAGS, lifespan=lifespan, docs_url=None, redoc_url=None)
    app.state.settings = settings
    app.state.validator = Validator()
    app.state.write_lock = threading.Lock()
    app.state.tokens = TokenBook.load(settings.tokens_file)
    errors.install(app)
    for router in (*API_ROUTERS, *PAGE_ROUTERS):
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=str(static_dir())), name="static")
    _document_token_errors(app)
    return app


AUTH_ERRORS = {
    "401": {"description": "a malformed, unknown or revoked token (and no token where the service "
                           "requires one to read)"},
    "403": {"description": "the token may not do this"},
}


def _document_token_errors(app: FastAPI) -> None:
    """Every operation that reads the caller's token can answer 401 and 403: say so in the
    schema once, here, rather than in each route."""
    original = app.openapi

    def openapi() -> dict[str, object]:
        if app.openapi_schema is None:
            schema = original()
            for operations in schema["paths"].values():
                for operation in operations.values():
                    if "security" in operation:
                        for status, answer in AUTH_ERRORS.items():
                            operation["responses"].setdefault(status, answer)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
