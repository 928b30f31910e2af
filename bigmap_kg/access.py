"""Who may write: write tokens (stored hashed) and the partner an entry is attributed to.

A token is ``bmk_`` followed by 43 URL-safe characters. The operator issues it with
``bigmap-kg token add``; only its SHA-256 hash is kept, in a TOML file::

    [[token]]
    name = "kit-upload-hook"
    role = "partner"                      # partner, admin or reader
    partner = "https://w3id.org/bigmap-kg/id/partner/kit"
    sha256 = "…"

A partner token creates and changes only entries attributed to its partner (through the
property the ontology names with ``bmk:attributedThrough`` on the entry's class: a sample's
``bmk:preparedBy``, a measurement's ``bmk:performedBy`` ...). Everything else is an admin's.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import tomllib
from dataclasses import dataclass
from pathlib import Path

from rdflib import URIRef

from bigmap_kg.errors import BigmapKGError, Location, ParseError

TOKEN_PATTERN = re.compile(r"bmk_[A-Za-z0-9_-]{43}")
ROLES = ("partner", "admin", "reader")


class AccessDenied(BigmapKGError):
    """A write (or a read, when reads are protected) that the caller may not make."""

    def __init__(self, message: str, location: Location | None = None, hint: str | None = None,
                 *, authenticated: bool = True):
        self.authenticated = authenticated
        super().__init__(message, location, hint)


@dataclass(frozen=True)
class Identity:
    """Who a valid token belongs to."""

    name: str
    role: str
    partner: URIRef | None = None

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def can_write(self) -> bool:
        return self.role in ("admin", "partner")


@dataclass(frozen=True)
class TokenEntry:
    identity: Identity
    sha256: str


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def new_token() -> str:
    return "bmk_" + secrets.token_urlsafe(32)


class TokenBook:
    """The operator's tokens, by hash."""

    def __init__(self, entries: list[TokenEntry], path: Path | None = None):
        self.entries = entries
        self.path = path

    @classmethod
    def load(cls, path: Path | None) -> TokenBook:
        """Read the tokens file; no file configured means no tokens (every write refused)."""
        if path is None or not path.exists():
            return cls([], path)
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise ParseError(f"cannot read the tokens file: {exc}", Location(file=str(path))) from exc
        entries = []
        for row, item in enumerate(data.get("token", []), start=1):
            where = Location(file=str(path), row=row)
            role = item.get("role")
            if role not in ROLES:
                raise ParseError(f"token role must be one of {', '.join(ROLES)}, not {role!r}", where)
            if role == "partner" and not item.get("partner"):
                raise ParseError("a partner token names its partner IRI", where)
            if not re.fullmatch(r"[0-9a-f]{64}", str(item.get("sha256", ""))):
                raise ParseError("sha256 must be 64 hexadecimal digits", where)
            partner = URIRef(item["partner"]) if item.get("partner") else None
            entries.append(TokenEntry(Identity(str(item.get("name", f"token {row}")), role, partner),
                                      item["sha256"]))
        return cls(entries, path)

    def identify(self, token: str) -> Identity:
        """The identity of a token; AccessDenied (not authenticated) when malformed or unknown."""
        if not TOKEN_PATTERN.fullmatch(token):
            raise AccessDenied("malformed token", authenticated=False,
                               hint="a token is 'bmk_' followed by 43 letters, digits, '-' or '_'")
        digest = token_hash(token)
        for entry in self.entries:
            if hmac.compare_digest(entry.sha256, digest):
                return entry.identity
        raise AccessDenied("unknown token", authenticated=False,
                           hint="ask the operator for a token (bigmap-kg token add)")

    def add(self, name: str, role: str, partner: URIRef | None = None) -> str:
        """Issue a token, append its hash to the file, and return the token (shown once)."""
        if self.path is None:
            raise ParseError("no tokens file configured", hint="set BIGMAP_KG_TOKENS_FILE or tokens_file")
        if role not in ROLES:
            raise ParseError(f"role must be one of {', '.join(ROLES)}", Location(field="role"))
        if role == "partner" and partner is None:
            raise ParseError("a partner token needs --partner", Location(field="partner"))
        if any(e.identity.name == name for e in self.entries):
            raise ParseError(f"a token named {name!r} exists already", Location(field="name"),
                             hint="revoke it first, or choose another name")
        token = new_token()
        entry = TokenEntry(Identity(name, role, partner), token_hash(token))
        self.entries.append(entry)
        self._save()
        return token

    def revoke(self, name: str) -> None:
        kept = [e for e in self.entries if e.identity.name != name]
        if len(kept) == len(self.entries):
            raise ParseError(f"no token named {name!r}", Location(field="name"))
        self.entries = kept
        self._save()

    def _save(self) -> None:
        assert self.path is not None
        lines = ["# bigmap-kg write tokens (hashes only; tokens are shown once, by 'bigmap-kg token add')"]
        for e in self.entries:
            lines += ["", "[[token]]", f"name = {_toml(e.identity.name)}", f"role = {_toml(e.identity.role)}"]
            if e.identity.partner is not None:
                lines.append(f"partner = {_toml(str(e.identity.partner))}")
            lines.append(f"sha256 = {_toml(e.sha256)}")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
        tmp.chmod(0o600)
        tmp.replace(self.path)


def _toml(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
