"""The ``bigmap-kg`` command line: thin commands over library functions.

Exit codes: 0 success; 1 invalid data (shape violations) or an inconsistent ontology;
2 unreadable input, unknown names, or a store that cannot be used.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from bigmap_kg import __version__
from bigmap_kg.errors import BigmapKGError, OntologyInconsistent, StoreError, ValidationFailed
from bigmap_kg.reports import get_report
from bigmap_kg.settings import Settings
from bigmap_kg.store.base import SelectResult, TripleStore

EXIT_INVALID = 1
EXIT_ERROR = 2

app = typer.Typer(help="bigmap-kg: the BIG-MAP battery-characterisation knowledge graph.",
                  no_args_is_help=True, add_completion=False)
ontology_app = typer.Typer(help="Ontology commands.", no_args_is_help=True)
app.add_typer(ontology_app, name="ontology")
report_app = typer.Typer(help="Reports generated from the graph.", no_args_is_help=True)
app.add_typer(report_app, name="report")


class State:
    def __init__(self, settings: Settings):
        self.settings = settings
        self._store: TripleStore | None = None

    def store(self) -> TripleStore:
        if self._store is None:
            from bigmap_kg.store import store_from_settings

            self._store = store_from_settings(self.settings)
        return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None


def _version(value: bool) -> None:
    if value:
        typer.echo(f"bigmap-kg {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    ctx: typer.Context,
    store: Annotated[Path | None, typer.Option(
        help="embedded store folder [env BIGMAP_KG_STORE; default ~/.local/share/bigmap-kg/store]")] = None,
    endpoint: Annotated[str | None, typer.Option(
        help="SPARQL 1.1 query endpoint of a remote store [env BIGMAP_KG_ENDPOINT]")] = None,
    update_endpoint: Annotated[str | None, typer.Option(
        help="SPARQL 1.1 update endpoint [env BIGMAP_KG_UPDATE_ENDPOINT]")] = None,
    server: Annotated[str | None, typer.Option(
        help="remote server kind: generic or virtuoso (docs/scaling.md) [env BIGMAP_KG_SERVER]")] = None,
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="print the version and exit")] = False,
) -> None:
    logging.getLogger("rdflib.term").setLevel(logging.CRITICAL)
    overrides: dict[str, Any] = {k: v for k, v in (("store", store), ("endpoint", endpoint),
                                   ("update_endpoint", update_endpoint), ("server", server))
                                 if v is not None}
    try:
        settings = Settings(**overrides)
    except ValueError as exc:  # pydantic names the setting and the value
        typer.echo(f"error: bad setting: {exc}", err=True)
        raise typer.Exit(EXIT_ERROR) from exc
    ctx.obj = State(settings)
    ctx.call_on_close(ctx.obj.close)


def _fail(exc: BigmapKGError) -> typer.Exit:
    typer.echo(f"error: {exc}", err=True)
    return typer.Exit(EXIT_INVALID if isinstance(exc, (ValidationFailed, OntologyInconsistent))
                      else EXIT_ERROR)


@app.command()
def init(ctx: typer.Context) -> None:
    """Load the ontology, shapes and reference catalogue into the store (validated first)."""
    from bigmap_kg.loader import init_store

    try:
        result = init_store(ctx.obj.store())
    except ValidationFailed as exc:
        typer.echo(exc.report.to_text(), err=True)  # type: ignore[attr-defined]
        raise _fail(exc) from exc
    except BigmapKGError as exc:
        raise _fail(exc) from exc
    for graph, n in result.counts.items():
        typer.echo(f"{graph}: {n} triples")
    if result.report.warnings:
        typer.echo(result.report.to_text(), err=True)


def _each_file(files: list[Path], write: Callable[[Path], str]) -> int:
    """Write each file on its own; a refused file is reported and the others go on. The exit
    status is the worst: 1 when a file broke the shapes, 2 when one could not be used."""
    status = 0
    for path in files:
        try:
            typer.echo(write(path))
        except ValidationFailed as exc:
            typer.echo(exc.report.to_text(), err=True)  # type: ignore[attr-defined]
            typer.echo(f"{path}: refused, nothing written", err=True)
            status = max(status, EXIT_INVALID)
        except BigmapKGError as exc:
            typer.echo(f"error: {exc}", err=True)
            status = EXIT_ERROR
    return status


@app.command()
def validate(
    ctx: typer.Context,
    files: Annotated[list[Path], typer.Argument(help="files to check")],
    fmt: Annotated[str, typer.Option("--format", help="text or json")] = "text",
    standalone: Annotated[bool, typer.Option(
        help="check the files alone, without resolving links against the store")] = False,
) -> None:
    """Check files against the shapes without storing anything (the upload-hook command).

    Exit 0 when valid, 1 when any file breaks a shape, 2 when a file cannot be read.
    """
    from bigmap_kg.loader import validate_against_store
    from bigmap_kg.parsing import parse_file
    from bigmap_kg.validation import ValidationReport, Validator

    validator = Validator()
    reports: list[ValidationReport] = []
    errors: list[dict[str, str]] = []
    for path in files:
        try:
            data = parse_file(path)
            if standalone:
                report = validator.validate(data, source=str(path))
            else:
                report = validate_against_store(ctx.obj.store(), data, validator, str(path))
            reports.append(report)
        except BigmapKGError as exc:
            errors.append({"source": str(path), "error": str(exc)})
    if fmt == "json":
        typer.echo(json.dumps({"reports": [r.to_dict() for r in reports], "errors": errors},
                              indent=2, ensure_ascii=False))
    else:
        for r in reports:
            typer.echo(r.to_text())
        for e in errors:
            typer.echo(f"error: {e['error']}", err=True)
    if errors:
        raise typer.Exit(EXIT_ERROR)
    raise typer.Exit(0 if all(r.conforms for r in reports) else EXIT_INVALID)


def _print_result(ctx: typer.Context, result: object, fmt: str) -> None:
    from bigmap_kg.output import FORMATS, labels_for, render

    if fmt not in FORMATS:
        typer.echo(f"error: unknown format {fmt!r}; use {', '.join(FORMATS)}", err=True)
        raise typer.Exit(EXIT_ERROR)
    if isinstance(result, SelectResult):
        typer.echo(render(result, fmt, labels_for(ctx.obj.store(), result)))
    elif isinstance(result, bool):
        typer.echo(json.dumps(result) if fmt == "json" else str(result).lower())
    else:
        typer.echo(result.serialize(format="json-ld" if fmt == "json" else "turtle"))  # type: ignore[attr-defined]


@app.command()
def query(
    ctx: typer.Context,
    name: Annotated[str | None, typer.Argument(help="named query, see --list")] = None,
    param: Annotated[list[str] | None, typer.Option("--param", "-p", help="KEY=VALUE")] = None,
    fmt: Annotated[str, typer.Option("--format", help="table, csv or json")] = "table",
    list_: Annotated[bool, typer.Option("--list", help="list the named queries")] = False,
) -> None:
    """Run a named query with its parameters, or list the named queries."""
    from bigmap_kg.queries import get_query, list_queries

    try:
        if list_ or name is None:
            for q in list_queries():
                params = " ".join(f"{p.name}={'...' if p.required else '[...]'}" for p in q.parameters)
                typer.echo(f"{q.name:36} {q.title}" + (f"  ({params})" if params else ""))
            return
        values = {}
        for item in param or []:
            key, sep, value = item.partition("=")
            if not sep:
                typer.echo(f"error: --param {item!r} is not KEY=VALUE", err=True)
                raise typer.Exit(EXIT_ERROR)
            values[key.strip()] = value
        result = get_query(name).run(ctx.obj.store(), values)
    except BigmapKGError as exc:
        raise _fail(exc) from exc
    _print_result(ctx, result, fmt)


@app.command()
def sparql(
    ctx: typer.Context,
    query_or_file: Annotated[str, typer.Argument(help="SPARQL query text, a .rq file, or - for stdin")],
    fmt: Annotated[str, typer.Option("--format", help="table, csv or json")] = "table",
) -> None:
    """Run a SPARQL query over the union of all graphs (read-only)."""
    if query_or_file == "-":
        text = sys.stdin.read()
    elif query_or_file.endswith((".rq", ".sparql")) and Path(query_or_file).is_file():
        text = Path(query_or_file).read_text(encoding="utf-8")
    else:
        text = query_or_file
    try:
        result = ctx.obj.store().query(text)
    except BigmapKGError as exc:
        raise _fail(exc) from exc
    _print_result(ctx, result, fmt)


@app.command()
def export(
    ctx: typer.Context,
    fmt: Annotated[str, typer.Option("--format", help="trig or nquads")] = "trig",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="file (default: stdout)")] = None,
) -> None:
    """Write every named graph as TriG or N-Quads."""
    try:
        data = ctx.obj.store().export(fmt)
    except BigmapKGError as exc:
        raise _fail(exc) from exc
    if output is None:
        sys.stdout.buffer.write(data)
    else:
        output.write_bytes(data)
        typer.echo(f"wrote {len(data)} bytes to {output}", err=True)


@app.command()
def restore(
    ctx: typer.Context,
    dump: Annotated[Path, typer.Argument(help="a dump written by `bigmap-kg export` (.trig or .nq)")],
    fmt: Annotated[str | None, typer.Option("--format", help="trig or nquads (default: by suffix)")] = None,
    replace: Annotated[bool, typer.Option(
        "--replace", help="replace everything the store holds (else a non-empty store is refused)")] = False,
    bulk: Annotated[bool, typer.Option(
        "--bulk", help="a large dump into an empty embedded store, with Oxigraph's bulk loader")] = False,
) -> None:
    """Load every named graph of a dump, in one transaction (the inverse of export); with
    --bulk, streamed into an empty embedded store (a failure leaves it empty)."""
    from bigmap_kg.store.restore import bulk_restore
    from bigmap_kg.store.restore import restore as restore_dump

    fmt = fmt or ("nquads" if dump.suffix.lower() in (".nq", ".nquads") else "trig")
    try:
        if bulk:
            if replace:
                raise StoreError("--bulk loads an empty store only", hint="leave out --replace")
            if not dump.is_file():
                raise OSError(2, "No such file", str(dump))
            quads = bulk_restore(ctx.obj.store(), str(dump), fmt)
            typer.echo(f"restored {quads} quads from {dump} (bulk)")
            return
        counts = restore_dump(ctx.obj.store(), dump.read_bytes(), fmt, name=str(dump), replace=replace)
    except OSError as exc:
        typer.echo(f"error: cannot read {dump}: {exc.strerror}", err=True)
        raise typer.Exit(EXIT_ERROR) from exc
    except BigmapKGError as exc:
        raise _fail(exc) from exc
    typer.echo(f"restored {len(counts)} graphs, {sum(counts.values())} triples from {dump}")


@app.command()
def summary(
    ctx: typer.Context,
    rebuild: Annotated[bool, typer.Option(
        "--rebuild", help="derive them again (after writes that went around bigmap-kg)")] = False,
) -> None:
    """Check the derived graphs (logbook counts, name keys) against the rest of the store (exit 1
    on a difference), or derive them again."""
    from bigmap_kg.summary import check

    try:
        store = ctx.obj.store()
        if rebuild:
            store.rebuild_summary()
        differences = check(store)
    except BigmapKGError as exc:
        raise _fail(exc) from exc
    for d in differences:
        typer.echo(f"{d.item}: stored {d.stored}, derived {d.derived}", err=True)
    if differences:
        typer.echo(f"error: {len(differences)} summary cells or name keys differ from the store; "
                   "run `bigmap-kg summary --rebuild`", err=True)
        raise typer.Exit(EXIT_INVALID)
    typer.echo(("derived again: " if rebuild else "")
               + "the logbook counts and name keys match the rest of the store")


@ontology_app.command("check")
def ontology_check(ctx: typer.Context) -> None:
    """Reason over the ontology plus all stored data (owlready2 + HermiT); exit 1 if inconsistent."""
    from rdflib import Graph

    from bigmap_kg.namespaces import ONTOLOGY_GRAPH, SHAPES_GRAPH
    from bigmap_kg.ontology_check import check
    from bigmap_kg.validation import load_kind

    try:
        store = ctx.obj.store()
        data = Graph()
        for name in store.graphs():
            if name not in (str(ONTOLOGY_GRAPH), str(SHAPES_GRAPH)):
                for triple in store.graph(name):
                    data.add(triple)
        result = check(load_kind("ontology"), data)
    except BigmapKGError as exc:
        raise _fail(exc) from exc
    typer.echo(f"consistent: {result.classes} classes, {result.individuals} individuals")
    for line in result.explanations:
        typer.echo(f"  {line}")
    raise typer.Exit(0 if result.consistent else EXIT_INVALID)


@report_app.command("catalogue")
def report_catalogue(
    ctx: typer.Context,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="file (default: stdout)")] = None,
) -> None:
    """The catalogue summary (counts, one table per cluster) as Markdown: docs/catalogue.md."""
    from bigmap_kg.catalogue_doc import render_catalogue

    try:
        text = render_catalogue(ctx.obj.store())
    except BigmapKGError as exc:
        raise _fail(exc) from exc
    if output is None:
        typer.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        typer.echo(f"wrote {output}", err=True)


request_app = typer.Typer(help="Characterisation requests (D5.5 section 2.1).", no_args_is_help=True)
app.add_typer(request_app, name="request")


def _check_format(fmt: str, allowed: tuple[str, ...]) -> None:
    if fmt not in allowed:
        typer.echo(f"error: unknown format {fmt!r}; use {', '.join(allowed)}", err=True)
        raise typer.Exit(EXIT_ERROR)


def _emit(text: str, output: Path | None) -> None:
    if output is None:
        typer.echo(text, nl=not text.endswith("\n"))
    else:
        output.write_text(text, encoding="utf-8")
        typer.echo(f"wrote {output}", err=True)


@request_app.command("add")
def request_add(
    ctx: typer.Context,
    files: Annotated[list[Path], typer.Argument(help="request files, YAML or JSON (examples/requests/)")],
) -> None:
    """Check each request, resolve its labels and store it, validated, as its own batch."""
    from bigmap_kg.requests import add_request, read_request
    from bigmap_kg.validation import Validator

    validator = Validator()
    store = ctx.obj.store()

    def write(path: Path) -> str:
        request = read_request(path, store)
        result = add_request(store, request, validator, source=str(path))
        return f"{path}: request {request.id} stored ({result.triples} triples, {result.graph})"

    raise typer.Exit(_each_file(files, write))


@request_app.command("list")
def request_list(ctx: typer.Context) -> None:
    """The stored requests."""
    from bigmap_kg.requests import stored_requests

    try:
        requests = stored_requests(ctx.obj.store())
    except BigmapKGError as exc:
        raise _fail(exc) from exc
    for r in requests:
        typer.echo(f"{r.id:32} {', '.join(o.label for o in r.observables)}"
                   f"  [{r.sample_shape.label.lower()}, {'operando' if r.operando else 'ex situ'}]")
    typer.echo(f"({len(requests)} request{'s' if len(requests) != 1 else ''})", err=True)


@app.command()
def plan(
    ctx: typer.Context,
    request: Annotated[str, typer.Argument(
        help="a request file (YAML or JSON), or the id of a stored request")],
    fmt: Annotated[str, typer.Option("--format", help="md, json or html")] = "md",
    limit: Annotated[int, typer.Option(help="how many plans to show", min=1)] = 5,
    include_undecided: Annotated[bool, typer.Option(
        "--include-undecided", help="also plan with instruments a criterion could not decide")] = False,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="file (default: stdout)")] = None,
) -> None:
    """Filter the instruments for a request and rank measurement plans (D5.5 sections 2.2-2.3)."""
    from bigmap_kg.planner_report import plan_report, render_plan_report
    from bigmap_kg.requests import read_request, stored_requests

    _check_format(fmt, ("md", "json", "html"))
    try:
        store = ctx.obj.store()
        path = Path(request)
        if path.suffix.lower() in (".yaml", ".yml", ".json") or path.is_file():
            req = read_request(path, store)
        else:
            req = stored_requests(store, request)[0]
        text = render_plan_report(plan_report(store, req, limit, include_undecided), fmt)
    except BigmapKGError as exc:
        raise _fail(exc) from exc
    _emit(text, output)


RequestOption = Annotated[str | None, typer.Option(
    "--request", help="one stored request (default: all)")]
FormatOption = Annotated[str, typer.Option("--format", help="md, csv, json or html")]
OutputOption = Annotated[Path | None, typer.Option("--output", "-o", help="file (default: stdout)")]


def _report(ctx: typer.Context, fmt: str, output: Path | None,
            make: Callable[[TripleStore], str]) -> None:
    from bigmap_kg.document import REPORT_FORMATS

    _check_format(fmt, REPORT_FORMATS)
    try:
        text = make(ctx.obj.store())
    except BigmapKGError as exc:
        raise _fail(exc) from exc
    _emit(text, output)


@report_app.command("discarded-instruments")
def report_discarded(ctx: typer.Context, request: RequestOption = None, fmt: FormatOption = "md",
                     output: OutputOption = None) -> None:
    """Instruments the filtering removed, with criterion and reason, over stored requests."""
    _report(ctx, fmt, output, lambda store: get_report("discarded-instruments").make(store, request, fmt))


@report_app.command("missing-observables")
def report_missing(ctx: typer.Context, request: RequestOption = None, fmt: FormatOption = "md",
                   output: OutputOption = None) -> None:
    """Observables no available instrument can measure, the most requested first."""
    _report(ctx, fmt, output, lambda store: get_report("missing-observables").make(store, request, fmt))


@report_app.command("archive-completeness")
def report_archive(ctx: typer.Context, fmt: FormatOption = "md", output: OutputOption = None) -> None:
    """Measurements without an archive record, a notebook entry, or the link between them."""
    _report(ctx, fmt, output, lambda store: get_report("archive-completeness").make(store, None, fmt))


def _service_commands() -> None:
    from bigmap_kg import cli_import, cli_service

    app.command("serve")(cli_service.serve)
    app.add_typer(cli_service.token_app, name="token")
    app.command("template")(cli_import.template)
    app.command("import")(cli_import.import_)
    app.command("batches")(cli_import.batches)
    app.command("undo")(cli_import.undo)
    app.command("crate")(cli_import.crate)


_service_commands()
