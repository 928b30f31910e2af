"""schemathesis against the service's OpenAPI schema (issue 7, part): generated requests for every
operation never get a 500, and every answer fits the schema."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from api.app import create_app
from bigmap_kg.loader import init_store
from bigmap_kg.settings import Settings
from bigmap_kg.store import EmbeddedStore


@schemathesis.serializer("application/sparql-query", "application/sparql-update")
def _sparql_text(ctx: object, value: object) -> bytes:
    """SPARQL bodies are plain text."""
    return value if isinstance(value, bytes) else str(value).encode("utf-8")


def _app() -> object:
    store = EmbeddedStore(None)
    init_store(store)
    return create_app(Settings(query_timeout=5), store)


schema = schemathesis.openapi.from_asgi("/openapi.json", _app())


@pytest.mark.slow
@schema.parametrize()
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
def test_generated_requests_get_no_server_error_and_fit_the_schema(case: schemathesis.Case) -> None:
    case.call_and_validate(checks=[not_a_server_error, response_schema_conformance,
                                   content_type_conformance])
