"""/docs: the OpenAPI browser works offline (Swagger UI served from the package)."""

from __future__ import annotations

from typing import Any

import pytest


def test_docs_page_loads_swagger_ui_from_the_package(api_client: Any) -> None:
    page = api_client.get("/docs").text
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in page and "cdn" not in page.lower()
    assert api_client.get("/static/vendor/swagger-ui/swagger-ui-bundle.js").status_code == 200
    assert api_client.get("/redoc").status_code == 404


@pytest.mark.slow
def test_docs_page_shows_every_route_without_leaving_the_service(page: Any, live_service: str) -> None:
    seen: list[str] = []
    page.on("request", lambda req: seen.append(req.url))
    page.goto(live_service + "/docs")
    page.locator(".opblock-summary-path").first.wait_for()
    paths = {el.get_attribute("data-path") for el in page.locator(".opblock-summary-path").all()}
    assert {"/sparql", "/entries", "/validate", "/plan", "/queries/{name}"} <= paths
    outside = [url for url in seen if not url.startswith((live_service, "data:"))]
    assert not outside, outside
