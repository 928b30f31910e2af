"""Choosing a report's format (json, csv, md, html) from ``format`` or the Accept header, and
framing HTML reports in the site's page."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response

from api.templating import render
from bigmap_kg.document import REPORT_FORMATS
from bigmap_kg.errors import Location, ParseError

MEDIA = {"json": "application/json", "csv": "text/csv", "md": "text/markdown", "html": "text/html"}


def report_format(request: Request, explicit: str | None) -> str:
    if explicit is not None:
        if explicit not in REPORT_FORMATS:
            raise ParseError(f"unknown format {explicit!r}", Location(field="format"),
                             hint="use one of " + ", ".join(REPORT_FORMATS))
        return explicit
    accept = request.headers.get("accept", "")
    first = accept.split(",")[0].strip().split(";")[0]
    for name, media in MEDIA.items():
        if first == media:
            return name
    return "json"


def report_response(request: Request, text: str, fmt: str, title: str) -> Response:
    """The report; HTML asked by a browser is shown inside the site's frame."""
    if fmt == "html":
        body = text.split("<body>", 1)[-1].rsplit("</body>", 1)[0]
        return render(request, "report.html", {"title": title, "body": body})
    media = MEDIA[fmt] + ("; charset=utf-8" if fmt != "json" else "")
    return Response(text, media_type=media)
