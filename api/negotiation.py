"""Choosing a report's format (json, csv, md, html) from ``format`` or the Accept header, and
framing HTML reports in the site's page."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response

from api.templating import render
from bigmap_kg.document import REPORT_FORMATS
from bigmap_kg.errors import Location, ParseError
from bigmap_kg.sparql_results import ranked

MEDIA = {"json": "application/json", "csv": "text/csv", "md": "text/markdown", "html": "text/html"}


def report_format(request: Request, explicit: str | None) -> str:
    if explicit is not None:
        if explicit not in REPORT_FORMATS:
            raise ParseError(f"unknown format {explicit!r}", Location(field="format"),
                             hint="use one of " + ", ".join(REPORT_FORMATS))
        return explicit
    return preferred(request, MEDIA) or "json"


def preferred(request: Request, offered: dict[str, str]) -> str | None:
    """The offered format (name → media type) the Accept header ranks highest; None when it
    names none of them before a wildcard."""
    by_media = {media: name for name, media in offered.items()}
    for media in ranked(request.headers.get("accept", "")):
        if media in by_media:
            return by_media[media]
        if media.endswith("/*"):
            return None
    return None


def wants_html(request: Request) -> bool:
    """A browser asking for a page rather than a program asking for JSON."""
    return preferred(request, {"html": "text/html", "json": "application/json"}) == "html"


def report_response(request: Request, text: str, fmt: str, title: str) -> Response:
    """The report; HTML asked by a browser is shown inside the site's frame."""
    if fmt == "html":
        body = text.split("<body>", 1)[-1].rsplit("</body>", 1)[0]
        return render(request, "report.html", {"title": title, "body": body})
    media = MEDIA[fmt] + ("; charset=utf-8" if fmt != "json" else "")
    return Response(text, media_type=media)
