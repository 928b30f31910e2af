#!/usr/bin/env python3
"""Check data files against a running bigmap-kg service before an upload (standard library only).

Each file is sent to the service's ``POST /validate`` (nothing is stored) and the answer is
printed. Exit status: 0 when every file conforms, 1 when one breaks the shapes (each problem is
printed: focus node, path, value, message, severity), 2 when a file cannot be read (locally or
by the service) or the service cannot be reached.

    python3 upload_check.py --service http://127.0.0.1:8000 new-samples.ttl
    BIGMAP_KG_SERVICE=https://kg.example.org python3 upload_check.py data/*.jsonld

``--standalone`` checks the files alone, without resolving their links against the graph;
``--token`` (or ``BIGMAP_KG_TOKEN``) is needed when the service only lets token holders read.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

CONFORMS, INVALID, UNREADABLE = 0, 1, 2
MEDIA_TYPES = {
    ".ttl": "text/turtle", ".turtle": "text/turtle",
    ".jsonld": "application/ld+json", ".json": "application/ld+json",
    ".nt": "application/n-triples", ".trig": "application/trig", ".nq": "application/n-quads",
}


def media_type(path: Path) -> str | None:
    return MEDIA_TYPES.get(path.suffix.lower())


def post_validate(service: str, body: bytes, media: str, source: str, standalone: bool,
                  token: str | None, timeout: float) -> tuple[int, dict[str, Any]]:
    """POST the body to ``/validate``; the HTTP status and the JSON answer."""
    url = service.rstrip("/") + "/validate"
    if standalone:
        url += "?" + urllib.parse.urlencode({"standalone": "true"})
    headers = {"Content-Type": media, "Accept": "application/json", "X-Source-File": source}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            return answer.status, json.loads(answer.read().decode("utf-8"))
    except urllib.error.HTTPError as refused:
        text = refused.read().decode("utf-8", errors="replace")
        try:
            return refused.code, json.loads(text)
        except json.JSONDecodeError:
            return refused.code, {"error": text.strip() or refused.reason}


def print_problems(source: str, report: dict[str, Any]) -> None:
    problems = report.get("results", report.get("problems", []))
    print(f"{source}: {report.get('violations', 0)} violation(s), {report.get('warnings', 0)} warning(s)")
    for p in problems:
        print(f"  {p.get('severity')}: {p.get('message')}")
        print(f"    focus: {p.get('focus')}")
        for key in ("path", "value"):
            if p.get(key) not in (None, ""):
                print(f"    {key}: {p[key]}")


def print_error(source: str, status: int, body: dict[str, Any]) -> None:
    print(f"{source}: refused by the service ({status}): {body.get('error', body)}", file=sys.stderr)
    location = body.get("location") or {}
    if location:
        print("  where: " + ", ".join(f"{k} {v}" for k, v in location.items()), file=sys.stderr)
    if body.get("hint"):
        print(f"  hint: {body['hint']}", file=sys.stderr)


def check(path: Path, args: argparse.Namespace) -> int:
    """The exit status for one file."""
    media = media_type(path)
    if media is None:
        print(f"{path}: cannot tell the RDF format from {path.suffix or 'no suffix'!r}; use one of "
              + ", ".join(sorted(MEDIA_TYPES)), file=sys.stderr)
        return UNREADABLE
    try:
        body = path.read_bytes()
    except OSError as exc:
        print(f"{path}: cannot read the file: {exc.strerror or exc}", file=sys.stderr)
        return UNREADABLE
    try:
        status, answer = post_validate(args.service, body, media, str(path), args.standalone,
                                       args.token, args.timeout)
    except (urllib.error.URLError, OSError, json.JSONDecodeError) as exc:
        reason = getattr(exc, "reason", exc)
        print(f"{path}: cannot reach {args.service}/validate: {reason}", file=sys.stderr)
        return UNREADABLE
    if status == 200 and answer.get("conforms") is True:
        report = answer.get("report", {})
        if report.get("warnings"):
            print_problems(str(path), report)
        else:
            print(f"{path}: conforms")
        return CONFORMS
    if status == 422 and "report" in answer:
        print_problems(str(path), answer["report"])
        return INVALID
    print_error(str(path), status, answer)
    return UNREADABLE


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", type=Path, help=".ttl, .jsonld, .nt or .trig files")
    parser.add_argument("--service", default=os.environ.get("BIGMAP_KG_SERVICE", "http://127.0.0.1:8000"),
                        help="base URL of the bigmap-kg service (default: $BIGMAP_KG_SERVICE or "
                             "http://127.0.0.1:8000)")
    parser.add_argument("--standalone", action="store_true",
                        help="check the files alone, without resolving links against the graph")
    parser.add_argument("--token", default=os.environ.get("BIGMAP_KG_TOKEN"),
                        help="bearer token, when reading needs one (default: $BIGMAP_KG_TOKEN)")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds to wait for the service")
    args = parser.parse_args(argv)
    return max(check(path, args) for path in args.files)


if __name__ == "__main__":
    sys.exit(main())
