"""``bigmap-kg template | import | batches | undo | crate``: bulk import and its batches."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from bigmap_kg.errors import BigmapKGError, ParseError, ValidationFailed

EXIT_INVALID, EXIT_ERROR = 1, 2


def _fail(exc: BigmapKGError) -> typer.Exit:
    typer.echo(f"error: {exc}", err=True)
    return typer.Exit(EXIT_INVALID if isinstance(exc, ValidationFailed) else EXIT_ERROR)


def template(
    entry_type: Annotated[str, typer.Argument(
        help="samples, shipments, measurements, archive_records, notebook_entries, instruments, cells, "
             "requests, all, or context (the JSON-LD @context)")],
    fmt: Annotated[str, typer.Option("--format", help="csv, xlsx or json")] = "csv",
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", help="file (or folder for all csv)")] = None,
) -> None:
    """Write an empty import template (docs/import.md describes every column)."""
    from bigmap_kg.importing import templates
    from bigmap_kg.importing.columns import entry_type as find_type
    from bigmap_kg.importing.columns import entry_types

    if fmt not in ("csv", "xlsx", "json"):
        typer.echo(f"error: unknown format {fmt!r}; use csv, xlsx or json", err=True)
        raise typer.Exit(EXIT_ERROR)
    if entry_type == "context":
        _emit(json.dumps(templates.context_document(), indent=2, ensure_ascii=False).encode(), output,
              "context.jsonld")
        return
    try:
        keys = list(entry_types()) if entry_type == "all" else [find_type(entry_type).key]
    except KeyError as exc:
        typer.echo(f"error: unknown entry type {entry_type!r}; use one of {', '.join(entry_types())}, "
                   "all or context", err=True)
        raise typer.Exit(EXIT_ERROR) from exc
    if fmt == "xlsx":
        _emit(templates.workbook_template(keys), output, "bigmap-kg-import.xlsx")
        return
    if len(keys) > 1 and fmt == "csv":
        folder = output or Path(".")
        folder.mkdir(parents=True, exist_ok=True)
        for key in keys:
            (folder / f"{key}.csv").write_bytes(templates.template(key, "csv"))
            typer.echo(folder / f"{key}.csv", err=True)
        return
    if len(keys) > 1:
        _emit(templates.json_template(keys), output, "bigmap-kg-import.json")
        return
    _emit(templates.template(keys[0], fmt), output, f"{keys[0]}.{fmt}")


def _emit(data: bytes, output: Path | None, default_name: str) -> None:
    if output is None and default_name.endswith(".xlsx"):
        output = Path(default_name)
    if output is None:
        sys.stdout.buffer.write(data)
        return
    output.write_bytes(data)
    typer.echo(f"wrote {output}", err=True)


def _contexts(values: list[str]) -> dict[str, Path]:
    found = {}
    for value in values:
        url, sep, file = value.partition("=")
        if not sep or not url or not file:
            raise ParseError(f"--context {value!r}: write URL=FILE", hint="a context URL and a local copy")
        found[url] = Path(file)
    return found


def import_(
    ctx: typer.Context,
    files: Annotated[list[Path], typer.Argument(
        help="CSV, XLSX or JSON in the templates' columns; InvenioRDM record JSON; BattINFO JSON-LD; "
             ".eln / RO-Crate; RDF (Turtle, N-Triples, TriG, N-Quads, JSON-LD)")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="check everything, write nothing")] = False,
    replace: Annotated[str | None, typer.Option(help="a batch this import corrects and replaces")] = None,
    partner: Annotated[str | None, typer.Option(
        help="the partner the import is made for (provenance)")] = None,
    documents: Annotated[list[str] | None, typer.Option(
        help="measurement or sample ID an InvenioRDM record documents (repeatable)")] = None,
    context: Annotated[list[str] | None, typer.Option(
        help="a JSON-LD context's local copy, URL=FILE (repeatable)")] = None,
    report: Annotated[str, typer.Option(help="report format: text or json")] = "text",
    progress: Annotated[bool | None, typer.Option(
        "--progress/--no-progress", help="progress bar (default: on a terminal)")] = None,
) -> None:
    """Import files as ONE batch, all or nothing: every problem is reported (file, sheet, row,
    column) and nothing is written while any error remains (exit 1)."""
    from bigmap_kg.importing.batches import Agent
    from bigmap_kg.importing.formats import ReaderOptions
    from bigmap_kg.importing.pipeline import ImportOptions, run_import
    from bigmap_kg.importing.progress import progress_bar
    from bigmap_kg.importing.resolve import resolve_partner
    from bigmap_kg.importing.source import Source

    if report not in ("text", "json"):
        typer.echo("error: --report is text or json", err=True)
        raise typer.Exit(EXIT_ERROR)
    try:
        sources = [Source.from_path(f) for f in files]
    except OSError as exc:
        typer.echo(f"error: cannot read {exc.filename}: {exc.strerror}", err=True)
        raise typer.Exit(EXIT_ERROR) from exc
    store = ctx.obj.store()
    try:
        agent = Agent.current_user(resolve_partner(store, partner, "--partner") if partner else None)
        options = ImportOptions(dry_run=dry_run, replace=replace, agent=agent,
                                readers=ReaderOptions(documents or [], {
                                    **ctx.obj.settings.jsonld_contexts, **_contexts(context or [])}))
        show = sys.stderr.isatty() if progress is None else progress
        with progress_bar(show) as bar:
            outcome = run_import(store, sources, options, progress=bar)
    except BigmapKGError as exc:
        raise _fail(exc) from exc
    if report == "json":
        typer.echo(json.dumps(outcome.to_dict(), indent=2, ensure_ascii=False))
    elif outcome.report.problems:
        typer.echo(outcome.report.to_text(), err=True)
    typer.echo(outcome.summary(), err=report == "json" or not outcome.report.ok)
    if not outcome.report.ok:
        raise typer.Exit(EXIT_INVALID)


def batches(
    ctx: typer.Context,
    fmt: Annotated[str, typer.Option("--format", help="table or json")] = "table",
) -> None:
    """List the batches in the store: import time, partner, person, rows, triples, files."""
    from bigmap_kg.importing.batches import list_batches

    found = list_batches(ctx.obj.store())
    if fmt == "json":
        typer.echo(json.dumps([b.to_dict() for b in found], indent=2, ensure_ascii=False))
        return
    if not found:
        typer.echo("no batches", err=True)
        return
    for b in found:
        name = b.graph.rsplit("/", 1)[-1]
        partner = (b.partner or "-").rsplit("/", 1)[-1]
        counts = f"{b.rows} rows, {b.triples} triples" if b.rows is not None else "(no provenance)"
        typer.echo(f"{name}  {b.time or '-':25}  {partner:8}  {b.agent or '-':12}  {counts}  {b.files or ''}")


def undo(
    ctx: typer.Context,
    batch: Annotated[str, typer.Argument(help="the batch: its graph IRI, its name, or the start of it")],
    force: Annotated[bool, typer.Option(help="undo even when other entries refer to its entries")] = False,
) -> None:
    """Remove one batch (its entries and provenance), in one transaction."""
    from bigmap_kg.importing.batches import undo as undo_batch

    try:
        removed = undo_batch(ctx.obj.store(), batch, force=force)
    except BigmapKGError as exc:
        raise _fail(exc) from exc
    typer.echo(f"removed {removed}")


def crate(
    ctx: typer.Context,
    sample: Annotated[str, typer.Argument(help="the sample's ID or IRI")],
    output: Annotated[Path, typer.Option("--output", "-o", help="the .eln (RO-Crate zip) to write")],
) -> None:
    """Export a sample with its lineage, measurements, shipments and records as an RO-Crate (.eln)."""
    from bigmap_kg.importing.crate_export import export_crate

    try:
        data = export_crate(ctx.obj.store(), sample)
    except BigmapKGError as exc:
        raise _fail(exc) from exc
    output.write_bytes(data)
    typer.echo(f"wrote {output} ({len(data)} bytes)")
