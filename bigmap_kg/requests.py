"""Characterisation requests (D5.5 section 2.1): read from YAML or JSON, resolved against the
graph's vocabulary, written as validated RDF, and read back from the store.

The file keys are a public interface (docs/planning.md): ``observables``, ``correlated``,
``sample_shape``, ``region_of_interest`` (``kind``, ``size``), ``operando``, ``time_resolution``,
``fidelity``, ``cost``; and optionally ``id``, ``title``, ``author``, ``description``.
"""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, ClassVar

import yaml
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SKOS, XSD

from bigmap_kg.errors import (
    BigmapKGError,
    EntryConflict,
    Location,
    ParseError,
    StoreError,
    UnknownReference,
    shown,
)
from bigmap_kg.loader import WriteResult, write_batch
from bigmap_kg.namespaces import BMK, ID
from bigmap_kg.nesting import MAX_DEPTH, json_depth
from bigmap_kg.quantities import Quantity, parse_quantity
from bigmap_kg.store.base import TripleStore
from bigmap_kg.terms import truthy
from bigmap_kg.validation import Validator

KEYS = ("id", "title", "author", "description", "observables", "correlated", "sample_shape",
        "region_of_interest", "operando", "time_resolution", "fidelity", "cost")
REQUIRED = ("observables", "sample_shape", "region_of_interest", "operando")
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
LEVEL_CHOICES = {"high": BMK.High, "low": BMK.Low, "any": BMK.AnyLevel}
ROI_CHOICES = {"average": BMK.AverageROI, "random": BMK.RandomROI, "specific": BMK.SpecificROI}


class InvalidRequest(BigmapKGError):
    """A request file with one or more problems; each names its file, line and field."""

    def __init__(self, problems: list[BigmapKGError]):
        self.problems = problems
        first = problems[0]
        super().__init__(first.message, first.location, first.hint)

    def __str__(self) -> str:
        if len(self.problems) == 1:
            return str(self.problems[0])
        return f"{len(self.problems)} problems in the request:\n" + "\n".join(
            "- " + str(p).replace("\n", "\n  ") for p in self.problems)


@dataclass(frozen=True)
class Named:
    """A thing of the graph, by IRI and label."""

    iri: URIRef
    label: str


@dataclass
class Request:
    id: str
    observables: list[Named]
    sample_shape: Named
    roi_kind: Named
    operando: bool
    groups: list[list[Named]] = field(default_factory=list)
    roi_size: Quantity | None = None
    time_resolution: Quantity | None = None
    fidelity: Named = Named(BMK.AnyLevel, "Any")
    cost: Named = Named(BMK.AnyLevel, "Any")
    title: str | None = None
    author: Named | None = None
    description: str | None = None
    asked: dict[URIRef, str] = field(default_factory=dict)
    created: date | None = None

    @property
    def iri(self) -> URIRef:
        return request_iri(self.id)


def request_iri(request_id: str) -> URIRef:
    return ID[f"request/{request_id}"]


# -- the vocabulary a request is written in ------------------------------------------------------
def _normal(text: str) -> str:
    return " ".join(re.sub(r"[-_/]", " ", text.lower()).split())


class Vocabulary:
    """Labels of observables, sample shapes and partners as the store holds them."""

    KINDS: ClassVar[dict[str, URIRef]] = {
        "observable": BMK.Observable, "sample shape": BMK.SampleShape, "partner": BMK.Partner}

    def __init__(self, store: TripleStore):
        rows = store.select("""
            PREFIX bmk: <https://w3id.org/bigmap-kg/ontology#>
            PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
            PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
            SELECT ?kind ?thing ?pref ?label WHERE {
              VALUES ?kind { bmk:Observable bmk:SampleShape bmk:Partner }
              ?thing a/rdfs:subClassOf* ?kind ; skos:prefLabel ?pref ;
                     skos:prefLabel|skos:altLabel ?label .
            }""").rows  # a path alternative: Virtuoso 7.2.5 answers no rows with a UNION here
        self._names: dict[URIRef, dict[str, Named]] = {k: {} for k in self.KINDS.values()}
        self._preferred: dict[URIRef, set[str]] = {k: set() for k in self.KINDS.values()}
        for row in rows:
            kind, thing = row["kind"], row["thing"]
            assert isinstance(kind, URIRef) and isinstance(thing, URIRef)
            named = Named(thing, str(row["pref"]))
            self._names[kind].setdefault(_normal(str(row["label"])), named)
            self._preferred[kind].add(str(row["pref"]))
        if not self._names[BMK.Observable]:
            raise StoreError("the store holds no observables",
                             hint="load the catalogue first: bigmap-kg init")

    def resolve(self, kind_name: str, text: object, location: Location) -> Named:
        kind = self.KINDS[kind_name]
        if not isinstance(text, str) or not text.strip():
            raise ParseError(f"expected the name of a {kind_name}, got {text!r}", location)
        found = self._names[kind].get(_normal(text))
        if found is not None:
            return found
        raise UnknownReference(f"unknown {kind_name} {text!r}", location,
                               hint=self.closest(kind, text))

    def closest(self, kind: URIRef, text: str) -> str:
        names = self._names[kind]
        close = difflib.get_close_matches(_normal(text), list(names), n=5, cutoff=0.5)
        words = set(_normal(text).split())
        close += [n for n in names if words & set(n.split()) and n not in close]
        labels: list[str] = []
        for name in close:
            label = names[name].label
            if label not in labels:
                labels.append(label)
        if labels:
            return "closest known: " + ", ".join(labels[:5])
        return "known: " + ", ".join(sorted(self._preferred[kind])[:12]) + (
            ", ..." if len(self._preferred[kind]) > 12 else "")


# -- reading a request file ----------------------------------------------------------------------
def _line_map(text: str, source: str) -> tuple[Any, dict[str, int]]:
    """The parsed document, and the line of every field path (``observables[1]``,
    ``region_of_interest.kind``)."""
    text = text.removeprefix("\ufeff")
    depth, line = json_depth(text)  # both readers recurse: 10 000 levels would end them
    if depth > MAX_DEPTH:
        raise ParseError(f"the request is nested {depth} levels deep", Location(file=source, line=line),
                         hint=f"at most {MAX_DEPTH} levels are read")
    is_json = source.lower().endswith(".json")
    if is_json or text.lstrip()[:1] in ("{", "["):
        # JSON by its reader, not YAML's: YAML leaves an escaped surrogate pair ("\\ud83d\\ude00")
        # as two lone surrogates, which are no characters
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            if is_json:
                raise ParseError(f"not valid JSON: {exc.msg}",
                                 Location(file=source, line=exc.lineno, column=exc.colno)) from exc
        else:
            _no_lone_surrogates(data, source)
            try:  # YAML reads most JSON, and gives the lines; tabs in JSON are not YAML
                return data, _lines(yaml.compose(text))
            except yaml.YAMLError:
                return data, {}
    try:
        data = yaml.safe_load(text)
        root = yaml.compose(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        raise ParseError(f"not valid YAML or JSON: {exc.problem}", Location(
            file=source, line=mark.line + 1 if mark else None,
            column=mark.column + 1 if mark else None)) from exc
    except yaml.YAMLError as exc:
        raise ParseError(f"not valid YAML or JSON: {exc}", Location(file=source)) from exc
    _no_lone_surrogates(data, source)
    return data, _lines(root)


def _no_lone_surrogates(data: Any, source: str, path: str = "") -> None:
    """Refuse a key or text holding half of a UTF-16 surrogate pair (an escape such as
    ``\\ud800`` alone): no character, and nothing could store or show it."""
    if isinstance(data, dict):
        for key, value in data.items():
            field = f"{path}.{key}" if path else str(key)
            if isinstance(key, str) and _LONE_SURROGATE.search(key):
                raise ParseError(f"the key {shown(key)} holds "
                                 "a lone UTF-16 surrogate, which is not a character",
                                 Location(file=source, field=path or None))
            _no_lone_surrogates(value, source, field)
    elif isinstance(data, list):
        for index, value in enumerate(data):
            _no_lone_surrogates(value, source, f"{path}[{index}]")
    elif isinstance(data, str) and _LONE_SURROGATE.search(data):
        raise ParseError("the text holds a lone UTF-16 surrogate (an escape such as \\ud800 without "
                         "its pair), which is not a character", Location(file=source, field=path or None))


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _lines(root: yaml.Node | None) -> dict[str, int]:
    lines: dict[str, int] = {}

    def walk(node: yaml.Node, path: str) -> None:
        lines[path] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                lines[f"{path}.{key.value}" if path else str(key.value)] = key.start_mark.line + 1
                walk(value, f"{path}.{key.value}" if path else str(key.value))
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                walk(item, f"{path}[{i}]")

    if root is not None:
        walk(root, "")
    return lines


def read_request(path: str | Path, store: TripleStore) -> Request:
    """A request from a YAML or JSON file, with every label resolved against the store."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ParseError(f"cannot read the request: {exc}", Location(file=str(path))) from exc
    return parse_request(text, str(path), store, default_id=path.stem)


def parse_request(text: str, source: str, store: TripleStore, default_id: str = "request") -> Request:
    data, lines = _line_map(text, source)
    if not isinstance(data, dict):
        raise ParseError("a request is a mapping of keys (observables, sample_shape, ...)",
                         Location(file=source, line=1))
    return RequestReader(source, lines, Vocabulary(store)).read(data, default_id)


def request_from_mapping(data: object, source: str, store: TripleStore,
                         default_id: str = "request") -> Request:
    """A request from already-parsed data (a JSON body, a web form turned into a dict), checked
    like a file; problems are located by field."""
    if not isinstance(data, dict):
        raise ParseError("a request is a mapping of keys (observables, sample_shape, ...)",
                         Location(file=source))
    return RequestReader(source, {}, Vocabulary(store)).read(data, default_id)


class RequestReader:
    """Checks one parsed request document field by field, collecting every problem."""

    def __init__(self, source: str, lines: dict[str, int], vocabulary: Vocabulary):
        self.source = source
        self.lines = lines
        self.vocabulary = vocabulary
        self.problems: list[BigmapKGError] = []

    def at(self, path: str) -> Location:
        key = path
        while key and key not in self.lines:
            key = key.rsplit(".", 1)[0] if "." in key else ""
        return Location(file=self.source, line=self.lines.get(key), field=path)

    def fail(self, error: BigmapKGError) -> None:
        self.problems.append(error)

    def read(self, data: dict[str, Any], default_id: str) -> Request:
        for key in data:
            if key not in KEYS:
                close = difflib.get_close_matches(str(key), KEYS, n=1)
                self.fail(UnknownReference(
                    f"unknown key {key!r}", self.at(str(key)),
                    hint=(f"did you mean {close[0]!r}? " if close else "") + "keys: " + ", ".join(KEYS)))
        for key in REQUIRED:
            if data.get(key) is None:
                where = self.at(key) if key in data else Location(file=self.source, field=key)
                self.fail(ParseError(f"the request gives no {key!r}" + (" value" if key in data else ""),
                                     where, hint=f"every request gives {', '.join(REQUIRED)}"))
        request_id = self._id(data.get("id"), default_id)
        observables = self._observables(data.get("observables"))
        groups = self._groups(data.get("correlated"), observables)
        shape = self._named("sample shape", data.get("sample_shape"), "sample_shape")
        roi_kind, roi_size = self._roi(data.get("region_of_interest"))
        operando = self._boolean(data.get("operando"), "operando")
        time_resolution = None
        if data.get("time_resolution") is not None:
            time_resolution = self._quantity(data["time_resolution"], BMK.Duration, "time_resolution")
            if operando is False:
                self.fail(ParseError("a time resolution is only asked for operando measurements",
                                     self.at("time_resolution"),
                                     hint="set operando: true, or remove time_resolution"))
        fidelity = self._level(data.get("fidelity", "any"), "fidelity")
        cost = self._level(data.get("cost", "any"), "cost")
        author = None
        if data.get("author") is not None:
            author = self._named("partner", data["author"], "author")
        title = self._text(data.get("title"), "title")
        description = self._text(data.get("description"), "description")
        if self.problems:
            raise InvalidRequest(self.problems)
        assert shape is not None and roi_kind is not None and operando is not None
        return Request(
            id=request_id, observables=[n for n, _ in observables], sample_shape=shape,
            roi_kind=roi_kind, operando=operando, groups=groups, roi_size=roi_size,
            time_resolution=time_resolution, fidelity=fidelity, cost=cost, title=title,
            author=author, description=description,
            asked={n.iri: asked for n, asked in observables if _normal(asked) != _normal(n.label)},
            created=date.today())

    def _id(self, value: object, default: str) -> str:
        text = default if value is None else str(value)
        if not _ID.match(text):
            origin = "" if value is not None else " (taken from the file name)"
            self.fail(ParseError(
                f"the request id {text!r}{origin} may hold only letters, digits, '.', '_' and '-'",
                self.at("id") if value is not None else Location(file=self.source, field="id"),
                hint="give the request an id: key" if value is None else None))
        return text

    def _text(self, value: object, path: str) -> str | None:
        if value is None:
            return None
        if not isinstance(value, str):
            self.fail(ParseError(f"{path} must be text", self.at(path)))
            return None
        return value.strip() or None

    def _named(self, kind: str, value: object, path: str) -> Named | None:
        if value is None:
            return None
        try:
            return self.vocabulary.resolve(kind, value, self.at(path))
        except BigmapKGError as exc:
            self.fail(exc)
            return None

    def _observables(self, value: object) -> list[tuple[Named, str]]:
        if value is None:
            return []
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            self.fail(ParseError("observables must be a list of observable names",
                                 self.at("observables")))
            return []
        if not value:
            self.fail(ParseError("the request asks for no observable: list at least one",
                                 self.at("observables")))
            return []
        found: list[tuple[Named, str]] = []
        for i, item in enumerate(value):
            named = self._named("observable", item, f"observables[{i}]")
            if named is not None and named not in [n for n, _ in found]:
                found.append((named, str(item)))
        return found

    def _groups(self, value: object, observables: list[tuple[Named, str]]) -> list[list[Named]]:
        if value is None:
            return []
        flat = isinstance(value, list) and bool(value) and all(isinstance(v, str) for v in value)
        if flat:
            value = [value]
        if not isinstance(value, list):
            self.fail(ParseError("correlated must be a list of groups, each a list of observables",
                                 self.at("correlated")))
            return []
        requested = {n.iri for n, _ in observables}
        groups = []
        for g, group in enumerate(value):
            path = "correlated" if flat else f"correlated[{g}]"
            if not isinstance(group, list) or len(group) < 2:
                self.fail(ParseError("a correlated group lists at least two observables", self.at(path),
                                     hint="correlated: [[crystal structure, oxidation state]]"))
                continue
            members: list[Named] = []
            for i, item in enumerate(group):
                named = self._named("observable", item, f"{path}[{i}]")
                if named is None:
                    continue
                if named.iri not in requested:
                    self.fail(ParseError(f"{item!r} is correlated but not requested",
                                         self.at(f"{path}[{i}]"), hint="list it under observables too"))
                elif named not in members:
                    members.append(named)
            if len(members) >= 2:
                groups.append(members)
            elif len(members) == 1 and len(group) >= 2:
                self.fail(ParseError("a correlated group names the same observable twice",
                                     self.at(path), hint="a group lists at least two different observables"))
        return groups

    def _roi(self, value: object) -> tuple[Named | None, Quantity | None]:
        if value is None:
            return None, None
        spec: dict[str, Any] = {"kind": value} if isinstance(value, str) else value  # type: ignore[assignment]
        if not isinstance(spec, dict):
            self.fail(ParseError("region_of_interest is average, random, or {kind: specific, size: 500 nm}",
                                 self.at("region_of_interest")))
            return None, None
        for key in spec:
            if key not in ("kind", "size"):
                self.fail(UnknownReference(f"unknown key {key!r}", self.at(f"region_of_interest.{key}"),
                                           hint="region_of_interest has kind and size"))
        kind_text = str(spec.get("kind", "")).strip().lower()
        if kind_text not in ROI_CHOICES:
            self.fail(ParseError("the region of interest is average, random or specific, "
                                 f"not {spec.get('kind')!r}", self.at("region_of_interest.kind")))
            return None, None
        kind = Named(ROI_CHOICES[kind_text], kind_text.capitalize())
        size = None
        if spec.get("size") is not None:
            size = self._quantity(spec["size"], BMK.Length, "region_of_interest.size")
            if kind_text != "specific":
                self.fail(ParseError(f"a size is given for a {kind_text} region of interest",
                                     self.at("region_of_interest.size"),
                                     hint="a size belongs to a specific region: kind: specific"))
        elif kind_text == "specific":
            self.fail(ParseError("a specific region of interest needs its size",
                                 self.at("region_of_interest"), hint="size: 500 nm"))
        return kind, size

    def _quantity(self, value: object, kind: URIRef, path: str) -> Quantity | None:
        try:
            return parse_quantity(value, kind, self.at(path))
        except BigmapKGError as exc:
            self.fail(exc)
            return None

    def _boolean(self, value: object, path: str) -> bool | None:
        if isinstance(value, bool):
            return value
        if value is not None:
            self.fail(ParseError(f"{path} is true or false, not {value!r}", self.at(path),
                                 hint="write true or false without quotes"
                                 if str(value).lower() in ("true", "false") else None))
        return None

    def _level(self, value: object, path: str) -> Named:
        text = str(value).strip().lower()
        if text not in LEVEL_CHOICES:
            self.fail(ParseError(f"{path} is high, low or any, not {value!r}", self.at(path)))
            return Named(BMK.AnyLevel, "Any")
        return Named(LEVEL_CHOICES[text], "Any" if text == "any" else text.capitalize())


# -- RDF ----------------------------------------------------------------------------------------
def request_graph(request: Request) -> Graph:
    """The request as RDF, as the shapes expect it."""
    g = Graph()
    s = request.iri
    g.add((s, RDF.type, BMK.CharacterisationRequest))
    g.add((s, BMK.identifier, Literal(request.id)))
    g.add((s, SKOS.prefLabel, Literal(request.title or f"Request {request.id}", lang="en")))
    for named in request.observables:
        g.add((s, BMK.requestsObservable, named.iri))
    for n, group in enumerate(request.groups, start=1):
        node = ID[f"request/{request.id}/group-{n}"]
        g.add((s, BMK.hasCorrelationGroup, node))
        g.add((node, RDF.type, BMK.CorrelationGroup))
        for named in group:
            g.add((node, BMK.groupObservable, named.iri))
    g.add((s, BMK.sampleShape, request.sample_shape.iri))
    g.add((s, BMK.roiKind, request.roi_kind.iri))
    if request.roi_size is not None:
        g.add((s, BMK.roiSize, request.roi_size.to_graph(g)))
    g.add((s, BMK.operandoRequired, Literal(request.operando)))
    if request.time_resolution is not None:
        g.add((s, BMK.requiredTimeResolution, request.time_resolution.to_graph(g)))
    g.add((s, BMK.desiredFidelity, request.fidelity.iri))
    g.add((s, BMK.desiredCost, request.cost.iri))
    if request.author is not None:
        g.add((s, BMK.author, request.author.iri))
    if request.created is not None:
        g.add((s, BMK.created, Literal(request.created, datatype=XSD.date)))
    notes = [request.description] if request.description else []
    notes += [f"asked as: {text}" for text in request.asked.values()]
    for note in notes:
        g.add((s, BMK.description, Literal(note)))
    return g


def add_request(store: TripleStore, request: Request, validator: Validator | None = None,
                source: str | None = None) -> WriteResult:
    """Validate the request and store it as its own batch; a request id is stored only once."""
    if store.query(f"ASK {{ {request.iri.n3()} ?p ?o }}"):
        raise EntryConflict(f"a request with the id {request.id!r} is already stored",
                         Location(file=source, field="id", iri=str(request.iri)),
                         hint="give the request a new id (the key 'id', or rename the file)")
    return write_batch(store, request_graph(request), validator or Validator(), source=source)


_STORED = """
PREFIX bmk: <https://w3id.org/bigmap-kg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?request ?id ?title ?shape ?shapeLabel ?roi ?roiText ?operando ?timeText ?fidelity ?cost
       ?author ?authorLabel ?created
WHERE {
  ?request a bmk:CharacterisationRequest ; bmk:identifier ?id ; bmk:sampleShape ?shape ;
           bmk:roiKind ?roi ; bmk:operandoRequired ?operando .
  ?shape skos:prefLabel ?shapeLabel .
  OPTIONAL { ?request skos:prefLabel ?title }
  OPTIONAL { ?request bmk:roiSize/bmk:originalText ?roiText }
  OPTIONAL { ?request bmk:requiredTimeResolution/bmk:originalText ?timeText }
  OPTIONAL { ?request bmk:desiredFidelity ?fidelity }
  OPTIONAL { ?request bmk:desiredCost ?cost }
  OPTIONAL { ?request bmk:author ?author . ?author skos:prefLabel ?authorLabel }
  OPTIONAL { ?request bmk:created ?created }
} ORDER BY ?id
"""

_STORED_OBSERVABLES = """
PREFIX bmk: <https://w3id.org/bigmap-kg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?request ?group ?observable ?label WHERE {
  ?request a bmk:CharacterisationRequest .
  { ?request bmk:requestsObservable ?observable }
  UNION { ?request bmk:hasCorrelationGroup ?group . ?group bmk:groupObservable ?observable }
  ?observable skos:prefLabel ?label .
} ORDER BY ?request ?group ?label
"""


def stored_requests(store: TripleStore, request_id: str | None = None) -> list[Request]:
    """The requests held in the store (all, or the one with that id or IRI)."""
    from bigmap_kg.queries import inject_values
    from bigmap_kg.store.base import is_iri as valid_iri

    wanted: list[tuple[list[str], list[list[Any]]]] = []
    if request_id is not None:
        given_iri = request_id.startswith(("http://", "https://"))
        iri = URIRef(request_id) if given_iri else request_iri(request_id)
        if not valid_iri(str(iri)):  # never pasted into a query: no such request
            raise UnknownReference(f"no stored request {request_id!r}", Location(field="request"),
                                   hint="a request ID is letters, digits and - _ .")
        wanted = [(["request"], [[iri]])]
    rows = store.select(inject_values(_STORED, wanted)).rows
    if request_id is not None and not rows:
        known = [str(r["id"]) for r in store.select(_STORED).rows]
        close = difflib.get_close_matches(request_id, known, n=3)
        raise UnknownReference(f"no stored request {request_id!r}", Location(field="request"),
                               hint=("did you mean " + ", ".join(close) + "? " if close else "")
                               + f"{len(known)} request(s) stored; add one with bigmap-kg request add FILE")
    members: dict[Any, list[tuple[Any, Named]]] = {}
    for row in store.select(inject_values(_STORED_OBSERVABLES, wanted)).rows:
        members.setdefault(row["request"], []).append(
            (row["group"], Named(row["observable"], str(row["label"]))))  # type: ignore[arg-type]
    requests = []
    for row in rows:
        source = Location(iri=str(row["request"]), field="stored request")
        found = members.get(row["request"], [])
        groups: dict[Any, list[Named]] = {}
        for group, named in found:
            if group is not None:
                groups.setdefault(group, []).append(named)
        roi = row["roi"]
        requests.append(Request(
            id=str(row["id"]),
            observables=[n for g, n in found if g is None],
            sample_shape=Named(row["shape"], str(row["shapeLabel"])),  # type: ignore[arg-type]
            roi_kind=Named(roi, next(k for k, v in ROI_CHOICES.items() if v == roi).capitalize()),  # type: ignore[arg-type]
            operando=truthy(row["operando"]),
            groups=[groups[k] for k in sorted(groups, key=str)],
            roi_size=parse_quantity(str(row["roiText"]), BMK.Length, source) if row["roiText"] else None,
            time_resolution=(parse_quantity(str(row["timeText"]), BMK.Duration, source)
                             if row["timeText"] else None),
            fidelity=_stored_level(row["fidelity"]), cost=_stored_level(row["cost"]),
            title=str(row["title"]) if row["title"] else None,
            author=Named(row["author"], str(row["authorLabel"])) if row["author"] else None,  # type: ignore[arg-type]
            created=date.fromisoformat(str(row["created"])) if row["created"] else None,
        ))
    return requests


def _stored_level(value: object) -> Named:
    for text, iri in LEVEL_CHOICES.items():
        if value == iri:
            return Named(iri, "Any" if text == "any" else text.capitalize())
    return Named(BMK.AnyLevel, "Any")
