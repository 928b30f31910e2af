"""Reading request bodies within the configured size limit."""

from __future__ import annotations

from fastapi import Request

from bigmap_kg.errors import ParseError


def utf8(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ParseError(f"the body is not UTF-8 text (byte {exc.start})") from exc


class BodyTooLarge(ParseError):
    """The request body is larger than max_upload_bytes."""


async def read_body(request: Request) -> bytes:
    limit: int = request.app.state.settings.max_upload_bytes
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge(f"the body has {declared} bytes; this service takes at most {limit}",
                           hint="split the upload, or use bigmap-kg import on the server")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge(f"the body is larger than {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)
