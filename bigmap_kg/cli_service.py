"""``bigmap-kg serve`` and ``bigmap-kg token``: running the HTTP service and issuing its tokens."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bigmap_kg.errors import BigmapKGError, Location
from bigmap_kg.settings import Settings

token_app = typer.Typer(help="Write tokens of the HTTP service (stored hashed).", no_args_is_help=True)

TokensOption = Annotated[Path | None, typer.Option(
    "--tokens-file", help="the tokens file [env BIGMAP_KG_TOKENS_FILE; config tokens_file]")]


def serve(
    ctx: typer.Context,
    host: Annotated[str | None, typer.Option(
        help="address to listen on [config host; default 127.0.0.1]")] = None,
    port: Annotated[int | None, typer.Option(help="port [config port; default 8000]")] = None,
    tokens_file: TokensOption = None,
) -> None:
    """Start the HTTP service: SPARQL endpoint, validated uploads, web pages (Ctrl+C stops it)."""
    import uvicorn

    from api.app import create_app

    overrides = {k: v for k, v in (("host", host), ("port", port), ("tokens_file", tokens_file))
                 if v is not None}
    base: Settings = ctx.obj.settings
    try:
        settings = Settings.model_validate({**base.model_dump(), **overrides})
    except ValueError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    try:
        app = create_app(settings)
    except BigmapKGError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    where = settings.endpoint or settings.store
    typer.echo(f"bigmap-kg service on http://{settings.host}:{settings.port}/ (store: {where})", err=True)
    uvicorn.run(app, host=settings.host, port=settings.port, log_level="warning")


def _book(ctx: typer.Context, tokens_file: Path | None):  # type: ignore[no-untyped-def]
    from bigmap_kg.access import TokenBook

    path = tokens_file or ctx.obj.settings.tokens_file
    if path is None:
        typer.echo("error: no tokens file: give --tokens-file or set BIGMAP_KG_TOKENS_FILE", err=True)
        raise typer.Exit(2)
    try:
        return TokenBook.load(path)
    except BigmapKGError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc


@token_app.command("add")
def token_add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="a name for the token, e.g. kit-upload-hook")],
    partner: Annotated[str | None, typer.Option(help="the partner it writes for (name or acronym)")] = None,
    role: Annotated[str, typer.Option(help="partner, admin or reader")] = "partner",
    tokens_file: TokensOption = None,
) -> None:
    """Issue a token: its hash goes to the tokens file, the token is printed once."""
    book = _book(ctx, tokens_file)
    try:
        iri = None
        if partner is not None:
            from bigmap_kg.requests import Vocabulary

            iri = Vocabulary(ctx.obj.store()).resolve("partner", partner, Location(field="partner")).iri
        token = book.add(name, role, iri)
    except BigmapKGError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    typer.echo(token)
    typer.echo(f"token {name!r} ({role}{', ' + str(iri) if iri else ''}) added to {book.path}; "
               "this is the only time it is shown", err=True)


@token_app.command("list")
def token_list(ctx: typer.Context, tokens_file: TokensOption = None) -> None:
    """The tokens by name, role and partner (never the tokens themselves)."""
    for entry in _book(ctx, tokens_file).entries:
        who = entry.identity
        typer.echo(f"{who.name:32} {who.role:8} {who.partner or ''}")


@token_app.command("revoke")
def token_revoke(ctx: typer.Context, name: Annotated[str, typer.Argument(help="the token's name")],
                 tokens_file: TokensOption = None) -> None:
    """Remove a token; a running service reads the file at start, so restart it."""
    book = _book(ctx, tokens_file)
    try:
        book.revoke(name)
    except BigmapKGError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    typer.echo(f"token {name!r} revoked", err=True)
