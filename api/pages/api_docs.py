"""``/docs``: the OpenAPI document in Swagger UI, served from the package (no CDN)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse

from api.deps import Reader

router = APIRouter(include_in_schema=False)

VENDOR = "/static/vendor/swagger-ui"


@router.get("/docs")
async def api_docs(request: Request, _: Reader) -> HTMLResponse:
    return get_swagger_ui_html(
        openapi_url=request.app.openapi_url, title="bigmap-kg API",
        swagger_js_url=f"{VENDOR}/swagger-ui-bundle.js", swagger_css_url=f"{VENDOR}/swagger-ui.css",
        swagger_favicon_url="data:,", swagger_ui_parameters={"validatorUrl": None})
