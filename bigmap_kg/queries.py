"""Named SPARQL queries: ``queries/*.rq`` files with a ``#+`` YAML header, run with bound parameters.

Header fields: ``title``, ``description``, ``parameters`` (name -> {description, required,
type: label|iri|string|boolean|integer, example}) and ``columns`` (name -> description).
Parameter values are never pasted into the query text: they become rdflib terms in a ``VALUES``
block placed at the start of the outermost ``WHERE``; parameter ``x`` is the variable ``?_x``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import cache
from importlib.resources.abc import Traversable

import yaml
from rdflib import Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from bigmap_kg import resources
from bigmap_kg.errors import Location, ParseError, UnknownReference
from bigmap_kg.sparql_text import substitute
from bigmap_kg.store.base import SelectResult, TripleStore

_WHERE = re.compile(r"\bWHERE\s*\{", re.IGNORECASE)
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
TYPES = ("label", "iri", "string", "boolean", "integer")


@dataclass(frozen=True)
class Parameter:
    name: str
    description: str
    required: bool = True
    type: str = "label"
    example: str | None = None


@dataclass(frozen=True)
class NamedQuery:
    name: str
    title: str
    description: str
    text: str
    parameters: list[Parameter] = field(default_factory=list)
    columns: dict[str, str] = field(default_factory=dict)
    binding: str = "constants"  # or "values": how bind() writes the parameters in (header 'binding')

    def parameter(self, name: str) -> Parameter:
        for p in self.parameters:
            if p.name == name:
                return p
        known = ", ".join(p.name for p in self.parameters) or "none"
        raise UnknownReference(
            f"query {self.name!r} has no parameter {name!r}",
            Location(field=name),
            hint=f"its parameters: {known}",
        )

    def bind(self, values: dict[str, str]) -> str:
        """The query text with the values bound: written in as constants (a VALUES block where a
        parameter is used in the SELECT clause)."""
        terms: dict[str, Node] = {}
        for key, raw in values.items():
            param = self.parameter(key)
            terms[key] = to_term(param, raw)
        missing = [p.name for p in self.parameters if p.required and p.name not in terms]
        if missing:
            raise UnknownReference(
                f"query {self.name!r} needs the parameter(s) {', '.join(missing)}",
                Location(field=missing[0]),
                hint=" ".join(f"--param {m}=..." for m in missing),
            )
        if not terms:
            return self.text
        # Constants in the text, not a VALUES block: Oxigraph plans around a VALUES block badly
        # (who-used-technique on 10 000 measurements: 2 637 ms with VALUES, 174 ms with the
        # constant). The terms are written as the VALUES block writes them (escaped N3).
        # Some queries plan better with the VALUES block (experiment-sequences: 0.9 s with VALUES,
        # over 30 s with constants at 10 000 measurements): their header says 'binding: values'.
        substituted = (substitute(self.text, {f"_{n}": sparql_term(t) for n, t in terms.items()})
                       if self.binding == "constants" else None)
        if substituted is not None:
            return substituted
        names = list(terms)
        return inject_values(self.text, [([f"_{n}" for n in names], [[terms[n] for n in names]])],
                             self.name)

    def run(self, store: TripleStore, values: dict[str, str] | None = None) -> SelectResult:
        query = self if store.dialect is None else replace(self, text=text_for(store, self.name, self.text))
        return store.select(query.bind(values or {}))


Table = tuple[list[str], list[list[Node | None]]]
DIALECTS = "dialects"  # queries/dialects/<dialect>/: a server's own forms of shipped queries
BINDINGS_MARKER = "#@bindings"  # on a line of its own in the query body
# "#@bindings ?a ?b" inside a sub-query: only the tables holding ?a or ?b (a sub-query does not
# see the outer VALUES, and a table of variables it does not use would multiply its solutions)
_MARKER_LINE = re.compile(r"^[ \t]*(" + re.escape(BINDINGS_MARKER) + r"((?:[ \t]+[?$]\w+)*))[ \t]*$",
                          re.MULTILINE)


def sparql_term(term: Node) -> str:
    """An RDF term as SPARQL text. Literals are written here, always as one-line short strings
    with backslash, quote and line breaks escaped: rdflib's ``n3()`` writes a value holding a
    line break as a long string and leaves a quote after an escaped backslash unescaped there
    (``'x\\n\\\\"'`` closed the string early)."""
    if isinstance(term, Literal):
        text = str(term)
        for raw, escaped in (("\\", "\\\\"), ('"', '\\"'), ("\n", "\\n"), ("\r", "\\r")):
            text = text.replace(raw, escaped)
        if term.language:
            return f'"{text}"@{term.language}'
        if term.datatype is not None and term.datatype != XSD.string:
            return f'"{text}"^^<{term.datatype}>'
        return f'"{text}"'
    return term.n3()


def values_block(names: list[str], rows: list[list[Node | None]]) -> str:
    """A SPARQL ``VALUES`` block; ``None`` becomes ``UNDEF``. Names are given without ``?``."""
    lines = ["(" + " ".join("UNDEF" if t is None else sparql_term(t) for t in row) + ")" for row in rows]
    return "VALUES (" + " ".join(f"?{n}" for n in names) + ") {\n    " + "\n    ".join(lines) + " }\n"


def mentions(text: str, variable: str) -> bool:
    """True when the query text uses the variable (``?name`` or ``$name``)."""
    return re.search(r"[?$]" + re.escape(variable) + r"\b", text) is not None


def inject_values(text: str, tables: list[Table], name: str = "query") -> str:
    """The query with VALUES blocks at its ``#@bindings`` line, else at the start of its first
    ``WHERE`` group. Tables none of whose variables the query mentions are left out, so that an
    unused table never multiplies the solutions."""
    blocks = "".join(values_block(names, rows) for names, rows in tables
                     if any(mentions(text, n) for n in names))
    if not blocks:
        return text
    if _MARKER_LINE.search(text) is not None:
        def block(marker: re.Match[str]) -> str:
            wanted = {v[1:] for v in marker.group(2).split()}
            if not wanted:
                return blocks
            return "".join(values_block(names, rows) for names, rows in tables if wanted & set(names))
        return _MARKER_LINE.sub(lambda m: m.group(0)[:m.start(1) - m.start(0)] + block(m), text)
    match = _WHERE.search(text)
    if match is None:
        raise ParseError(f"query {name!r} has no WHERE clause to bind parameters in")
    return text[: match.end()] + "\n  " + blocks + text[match.end() :]


def to_term(param: Parameter, raw: str) -> Node:
    """The RDF term for a parameter value given as text."""
    if param.type == "iri":
        if not re.fullmatch(r"[a-zA-Z][a-zA-Z0-9+.-]*:[^\s<>\"{}|\\^`]+", raw):
            raise UnknownReference(f"{raw!r} is not an IRI", Location(field=param.name))
        return URIRef(raw)
    if param.type == "boolean":
        if raw.lower() not in ("true", "false", "yes", "no", "1", "0"):
            raise UnknownReference(f"{raw!r} is not true or false", Location(field=param.name))
        return Literal(raw.lower() in ("true", "yes", "1"))
    if param.type == "integer":
        if not re.fullmatch(r"-?\d+", raw):
            raise UnknownReference(f"{raw!r} is not a whole number", Location(field=param.name))
        return Literal(int(raw), datatype=XSD.integer)
    if param.type == "label":  # matched against the names graph's keys, which are lower case
        return Literal(raw.lower())
    return Literal(raw)


def parse_query(name: str, text: str) -> NamedQuery:
    """Read the ``#+`` header of a query file."""
    header_lines = [line[2:] for line in text.splitlines() if line.startswith("#+")]
    try:
        header = yaml.safe_load("\n".join(line[1:] if line.startswith(" ") else line
                                          for line in header_lines)) or {}
    except yaml.YAMLError as exc:
        raise ParseError(f"query header is not valid YAML: {exc}", Location(file=name)) from exc
    if not isinstance(header, dict) or "title" not in header:
        raise ParseError("query header needs at least '#+ title:'", Location(file=name))
    params = []
    for pname, spec in (header.get("parameters") or {}).items():
        spec = spec or {}
        if not _NAME.match(pname) or spec.get("type", "label") not in TYPES:
            raise ParseError(f"bad parameter {pname!r} in header", Location(file=name, field=pname))
        params.append(Parameter(pname, str(spec.get("description", "")),
                                bool(spec.get("required", True)), spec.get("type", "label"),
                                spec.get("example")))
    binding = str(header.get("binding", "constants"))
    if binding not in ("constants", "values"):
        raise ParseError(f"binding must be constants or values, not {binding!r}",
                         Location(file=name, field="binding"))
    return NamedQuery(name, str(header["title"]), str(header.get("description", "")).strip(),
                      text, params, dict(header.get("columns") or {}), binding)


@cache
def _shipped() -> dict[str, NamedQuery]:
    """The shipped queries by name, read once per process: they are package data, and reading
    every header (YAML) cost 25 ms, more than most queries take to answer."""
    found = {}
    for item in resources.data_files("queries", ".rq"):
        name = resources.relative_name("queries", item)[: -len(".rq")]
        if "/" not in name:
            found[name] = parse_query(name, item.read_text(encoding="utf-8"))
    return found


def list_queries() -> list[NamedQuery]:
    """Every named query shipped with the package, sorted by name (the top-level ``.rq`` files;
    sub-folders hold the planner's building blocks, such as ``filters/``)."""
    return list(_shipped().values())


def get_query(name: str) -> NamedQuery:
    queries = _shipped()
    if name not in queries:
        import difflib

        close = difflib.get_close_matches(name, queries, n=3)
        raise UnknownReference(
            f"no named query {name!r}",
            Location(field="query"),
            hint=("did you mean " + ", ".join(close) + "? " if close else "")
            + "bigmap-kg query --list shows them all",
        )
    return queries[name]


def _parameter_note(p: Parameter) -> str:
    if p.required and p.example is not None:
        need = f"required; set to the example {p.example!r}"
    elif p.required:
        need = "required: put a value in place of UNDEF"
    else:
        need = "optional: UNDEF leaves it unset" + (f"; e.g. {p.example!r}" if p.example else "")
    if p.type == "label":
        need += "; in lower case: it is matched against the names graph's lower-case keys"
    return f"#   ?_{p.name}: {p.description} ({need})"


def example_text(query: NamedQuery) -> str:
    """The query with its ``#+`` header replaced by a short comment, and its parameters bound in
    a VALUES block: required ones to their example value, optional ones left UNDEF. The comment
    tells which VALUES to edit, so the example runs as it stands and is easy to adapt."""
    body = "\n".join(line for line in query.text.splitlines() if not line.startswith("#+"))
    head = [f"# {query.title}", f"# The named query {query.name!r} (bigmap-kg query {query.name})."]
    if not query.parameters:
        return "\n".join(head) + "\n" + body.lstrip("\n")
    head.append("# Its parameters are bound in the VALUES block at the start of WHERE: edit the values.")
    head += [_parameter_note(p) for p in query.parameters]
    row: list[Node | None] = [
        to_term(p, p.example) if p.example is not None and p.required else None for p in query.parameters]
    names = [f"_{p.name}" for p in query.parameters]
    return "\n".join(head) + "\n" + inject_values(body.lstrip("\n"), [(names, [row])], query.name)


def query_file(name: str) -> Traversable:
    """The file of the query ``name``, ``queries/<name>.rq`` (``import/labels``)."""
    folder, _, stem = name.rpartition("/")
    return resources.data_dir("queries").joinpath(*filter(None, folder.split("/")), f"{stem}.rq")


@cache
def query_text(name: str) -> str:
    """The text of a building-block query, ``queries/<name>.rq`` (``import/labels``), read once."""
    item = query_file(name)
    if not item.is_file():
        raise ParseError(f"no query {name!r}", Location(file=f"queries/{name}.rq"))
    return item.read_text(encoding="utf-8")


@cache
def _dialect_text(dialect: str, name: str) -> str | None:
    item = query_file(f"{DIALECTS}/{dialect}/{name}")
    return item.read_text(encoding="utf-8") if item.is_file() else None


def text_for(store: TripleStore, name: str, text: str) -> str:
    """The text ``store`` runs for the shipped query ``name`` (``filters/sample-shape``,
    ``who-used-technique``) whose standard text is ``text``: the form written for the store's
    dialect, ``queries/dialects/<dialect>/<name>.rq``, where one is shipped; else ``text``."""
    if store.dialect is None:
        return text
    return _dialect_text(store.dialect, name) or text


def page_query(name: str) -> NamedQuery:
    """A query of the web pages, ``queries/pages/<name>.rq``, with its header read."""
    item = resources.data_dir("queries").joinpath("pages", f"{name}.rq")
    if not item.is_file():
        raise ParseError(f"no page query {name!r}", Location(file=f"queries/pages/{name}.rq"))
    return parse_query(f"pages/{name}", item.read_text(encoding="utf-8"))
