"""Request dependencies: the store, the settings, and who is calling."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from bigmap_kg.access import AccessDenied, Identity, TokenBook
from bigmap_kg.settings import Settings
from bigmap_kg.sparql_protocol import QueryRunner
from bigmap_kg.store import TripleStore
from bigmap_kg.validation import Validator

bearer = HTTPBearer(auto_error=False, description="a token issued by `bigmap-kg token add`")

# The dependencies are coroutines: each only looks up application state or a token's SHA-256
# digest, which needs no worker thread (FastAPI runs a plain function dependency on one).


async def get_store(request: Request) -> TripleStore:
    return request.app.state.store  # type: ignore[no-any-return]


async def get_settings(request: Request) -> Settings:
    return request.app.state.settings  # type: ignore[no-any-return]


async def get_validator(request: Request) -> Validator:
    return request.app.state.validator  # type: ignore[no-any-return]


async def get_runner(request: Request) -> QueryRunner:
    return request.app.state.runner  # type: ignore[no-any-return]


async def get_write_lock(request: Request) -> threading.Lock:
    return request.app.state.write_lock  # type: ignore[no-any-return]


T = TypeVar("T")


def one_at_a_time(lock: threading.Lock, work: Callable[..., T], *args: Any) -> T:
    """Run a write with the service's write lock held: the checks (does the entry exist, whose is
    it) and the write happen without another write in between."""
    with lock:
        return work(*args)


async def caller(request: Request,
           credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> Identity | None:
    """The identity of the token sent, None without one; a bad token is refused even on reads."""
    header = request.headers.get("authorization")
    if header is None:
        return None
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise AccessDenied("the Authorization header must be 'Bearer <token>'", authenticated=False)
    book: TokenBook = request.app.state.tokens
    return book.identify(credentials.credentials)


async def reader(request: Request, who: Annotated[Identity | None, Depends(caller)]) -> Identity | None:
    """Reads are open, or need any valid token when the operator set read_access = "token"."""
    if who is None and request.app.state.settings.read_access == "token":
        raise AccessDenied("reading needs a token on this service", authenticated=False,
                           hint="send Authorization: Bearer <token>")
    return who


async def read_access(request: Request) -> Identity | None:
    """:func:`reader` called directly, for a route that resolves no dependencies (``/sparql``)."""
    return await reader(request, await caller(request, await bearer(request)))


async def writer(who: Annotated[Identity | None, Depends(caller)]) -> Identity:
    if who is None:
        raise AccessDenied("writing needs a token", authenticated=False,
                           hint="send Authorization: Bearer <token> (issued by bigmap-kg token add)")
    if not who.can_write:
        raise AccessDenied(f"the token {who.name!r} may only read")
    return who


async def admin(who: Annotated[Identity, Depends(writer)]) -> Identity:
    if not who.is_admin:
        raise AccessDenied(f"this needs an admin token; {who.name!r} is a partner token",
                           hint="partner tokens write entries through POST/PUT/DELETE /entries")
    return who


StoreDep = Annotated[TripleStore, Depends(get_store)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
ValidatorDep = Annotated[Validator, Depends(get_validator)]
RunnerDep = Annotated[QueryRunner, Depends(get_runner)]
WriteLock = Annotated[threading.Lock, Depends(get_write_lock)]
Reader = Annotated[Identity | None, Depends(reader)]
Writer = Annotated[Identity, Depends(writer)]
Admin = Annotated[Identity, Depends(admin)]
