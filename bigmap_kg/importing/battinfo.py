"""BattINFO JSON-LD, as the BattINFO Converter writes it, as samples.

Every triple of the expanded document is kept as it is: BattINFO's class and property IRIs,
and node IRIs such as ORCID or Wikidata ones. The root cell (a root node whose class
``ontology/vocabulary.ttl`` matches to a sample shape; an electrode, separator, electrolyte or
powder at the root is read the same way) is also described as a bmk:Sample:

- its IRI is its ``@id``; a blank root is named ``id/sample/<schema:productID>``;
- bmk:identifier is schema:productID, skos:prefLabel schema:name (else the product ID);
- bmk:sampleShape is the shape whose skos:closeMatch is the cell's class: CoinCell
  (battery:battery_b7fdab58_6e91_4c84_b097_b06eff86a124) -> bmk:CoinCellShape, PouchCell
  (battery:battery_392b3f47_d62a_4bd4_a819_b58b09b8843a) -> bmk:PouchCellShape,
  CylindricalBattery (battery:battery_ac604ecd_cc60_4b98_b57c_74cd5d3ccd40) ->
  bmk:CylindricalCellShape, SwagelokCell (battery:battery_74d6a5a9_efd6_43de_ad4b_e7b5f6b64aae)
  -> bmk:ModelCellShape (IRIs as in domain-battery's reference/battery-reference.ttl);
- bmk:preparedBy is the partner named by schema:manufacturer's schema:name, if known;
- bmk:madeOf are the catalogue materials whose skos:closeMatch or skos:exactMatch is the class
  of an active material (echem hasActiveMaterial) of the cell.

The remote JSON-LD contexts are read from local copies (``contexts``: URL -> file)."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SKOS
from rdflib.term import Node

from bigmap_kg.importing.problems import WARNING, ImportProblem, Origin
from bigmap_kg.importing.resolve import Resolver
from bigmap_kg.importing.source import Mapped, Source
from bigmap_kg.importing.tables import load_json
from bigmap_kg.namespaces import BMK, ID
from bigmap_kg.queries import inject_values, query_text
from bigmap_kg.store.base import TripleStore

# electrochemistry-reference.ttl: skos:prefLabel "hasActiveMaterial"
HAS_ACTIVE_MATERIAL = URIRef(
    "https://w3id.org/emmo/domain/electrochemistry#electrochemistry_860aa941_5ff9_4452_8a16_7856fad07bee")
# The converter's own context maps "schema" to "https://schema.org" (no slash) in some versions:
# under JSON-LD 1.1 that is no prefix, and "schema:productID" stays the IRI schema:productID.
SCHEMA_BASES = ("https://schema.org/", "http://schema.org/", "schema:")
ABSOLUTE = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:\S*")



def is_battinfo(data: object) -> bool:
    """A JSON-LD document in the EMMO domain ontologies' terms (BattINFO's context)."""
    return (isinstance(data, dict) and "@context" in data
            and "w3id.org/emmo/domain/" in json.dumps(data["@context"], default=str))


def _schema(name: str) -> set[URIRef]:
    return {URIRef(base + name) for base in SCHEMA_BASES}


# -- reading the JSON ---------------------------------------------------------------------
def _cleaned(data: object, path: str, origin: Origin, problems: list[ImportProblem]) -> object:
    """NaN is how the converter writes an empty cell: a NaN ``@id`` is no @id; any other NaN
    is left out with a warning."""
    if isinstance(data, dict):
        kept = {}
        for key, value in data.items():
            here = f"{path}.{key}" if path else str(key)
            if isinstance(value, float) and not math.isfinite(value):
                if key != "@id":
                    problems.append(ImportProblem(Origin(origin.file, column=here),
                                                  "NaN (an empty cell) left out", expected="a value"))
                continue
            kept[key] = _cleaned(value, here, origin, problems)
        return kept
    if isinstance(data, list):
        return [_cleaned(v, f"{path}[{i}]", origin, problems) for i, v in enumerate(data)
                if not (isinstance(v, float) and not math.isfinite(v))]
    return data


class _Contexts:
    """Replaces remote context references by the content of their local copies."""

    def __init__(self, source: Source, mapping: dict[str, Path]):
        self.source = source
        self.mapping = {url.rstrip("/"): Path(path) for url, path in mapping.items()}
        self.loaded: dict[str, object] = {}
        self.problems: list[ImportProblem] = []

    def problem(self, message: str, url: str, expected: str) -> None:
        where = Origin(self.source.name, column="@context")
        self.problems.append(ImportProblem(where, message, url, expected))

    def inline(self, data: object) -> object:
        """The document with every ``@context`` (nested ones too) made local."""
        if isinstance(data, dict):
            return {k: self.context(v, []) if k == "@context" else self.inline(v) for k, v in data.items()}
        if isinstance(data, list):
            return [self.inline(v) for v in data]
        return data

    def context(self, value: object, chain: list[str]) -> object:
        if isinstance(value, str):
            return self.remote(value, chain)
        if isinstance(value, list):
            return [self.context(v, chain) for v in value]
        if isinstance(value, dict):
            return {k: self.context(v, chain) if k in ("@context", "@import")
                    else self.term(v, chain) for k, v in value.items()}
        return value

    def term(self, value: object, chain: list[str]) -> object:
        """A term definition may hold a scoped context."""
        if isinstance(value, dict) and "@context" in value:
            return {**value, "@context": self.context(value["@context"], chain)}
        return value

    def remote(self, url: str, chain: list[str]) -> object:
        path = self.mapping.get(url.rstrip("/"))
        if path is None:
            self.problem(f"the JSON-LD context {url} is not available offline", url,
                         f"a local copy of it: --context {url}=FILE on the command line, the jsonld_contexts "
                         "setting for the service")
            return {}
        if url in chain:
            self.problem(f"the JSON-LD context {url} includes itself", url, "contexts without loops")
            return {}
        if url not in self.loaded:
            self.loaded[url] = self.read(url, path)
        return self.context(self.loaded[url], [*chain, url])

    def read(self, url: str, path: Path) -> object:
        try:
            content = json.loads(path.read_text(encoding="utf-8-sig"))
        except (OSError, UnicodeDecodeError) as exc:
            self.problem(f"the local copy {path} of context {url} cannot be read: {exc}", url,
                         "a readable JSON-LD context file")
            return {}
        except json.JSONDecodeError as exc:
            self.problem(f"the local copy {path} of context {url} is not valid JSON: {exc.msg} "
                         f"at line {exc.lineno}, column {exc.colno}", url, "a JSON-LD context file")
            return {}
        return content.get("@context", {}) if isinstance(content, dict) else content


def _parse(document: object, source: Source, problems: list[ImportProblem]) -> Graph | None:
    try:
        graph = Graph().parse(data=json.dumps(document), format="json-ld")
    except Exception as exc:  # rdflib's JSON-LD parser raises many kinds of errors
        problems.append(ImportProblem(Origin(source.name), f"not readable as JSON-LD: {exc}"))
        return None
    relative = sorted({str(t) for triple in graph for t in triple
                       if isinstance(t, URIRef) and not ABSOLUTE.fullmatch(str(t))})
    for iri in relative:
        problems.append(ImportProblem(Origin(source.name, column="@id"), "a relative IRI", iri,
                                      "absolute IRIs (https://...) as node @id values"))
    return None if relative else graph


def read_battinfo(source: Source, resolver: Resolver, contexts: dict[str, Path]) -> Mapped:
    """Samples (and every BattINFO triple) from a BattINFO JSON-LD file."""
    mapped = Mapped()
    data = load_json(source)
    if isinstance(data, ImportProblem):
        mapped.problems.append(data)
        return mapped
    data = _cleaned(data, "", Origin(source.name), mapped.problems)
    local = _Contexts(source, contexts)
    document = local.inline(data)
    mapped.problems.extend(local.problems)
    if local.problems:
        return mapped
    graph = _parse(document, source, mapped.problems)
    if graph is None:
        return mapped
    mapped.graph = graph
    shapes = _shape_classes(resolver.store)
    roots = list(_cell_roots(graph, shapes))
    if not roots:
        found = sorted({str(t) for r in _roots(graph) for t in graph.objects(r, RDF.type)})
        mapped.problems.append(ImportProblem(
            Origin(source.name, column="@type"), "no cell at the root of the document",
            ", ".join(found) or None,
            "a root node of a class ontology/vocabulary.ttl matches to a sample shape: CoinCell, PouchCell, "
            "CylindricalBattery, SwagelokCell (or Electrode, Separator, LiquidElectrolyte, Powder)"))
    for root in roots:
        mapped.rows += 1
        _sample(root, shapes, source, resolver, mapped)
    return mapped


# -- the cell -----------------------------------------------------------------------------
def _shape_classes(store: TripleStore) -> dict[URIRef, URIRef]:
    """Class IRI -> sample shape, from the shapes' skos:closeMatch in ontology/vocabulary.ttl."""
    rows = store.select(query_text("import/battinfo-sample-shapes")).rows
    return {r["class"]: r["shape"] for r in rows  # type: ignore[misc]
            if isinstance(r["class"], URIRef) and isinstance(r["shape"], URIRef)}


def _roots(graph: Graph) -> set[Node]:
    return set(graph.subjects()) - set(graph.objects())


def _cell_roots(graph: Graph, shapes: dict[URIRef, URIRef]) -> Iterator[Node]:
    for root in sorted(_roots(graph), key=str):
        if any(t in shapes for t in graph.objects(root, RDF.type)):
            yield root


def _value(graph: Graph, node: Node, name: str) -> str | None:
    values = sorted(str(o) for p in _schema(name) for o in graph.objects(node, p) if isinstance(o, Literal))
    return values[0].strip() if values and values[0].strip() else None


def _rename(graph: Graph, old: Node, new: URIRef) -> None:
    for s, p, o in list(graph.triples((old, None, None))):
        graph.remove((s, p, o))
        graph.add((new, p, o))
    for s, p, o in list(graph.triples((None, None, old))):
        graph.remove((s, p, o))
        graph.add((s, p, new))


def _sample(root: Node, shapes: dict[URIRef, URIRef], source: Source, resolver: Resolver,
            mapped: Mapped) -> None:
    graph = mapped.graph
    product = _value(graph, root, "productID")
    types = {t for t in graph.objects(root, RDF.type) if isinstance(t, URIRef)}
    kinds = sorted({shapes[t] for t in types if t in shapes})
    if len(kinds) > 1:
        mapped.problems.append(ImportProblem(Origin(source.name, column="@type"),
                                             "the cell's classes match several sample shapes",
                                             ", ".join(kinds), "one kind of cell"))
        return
    if isinstance(root, URIRef):
        iri = root
    elif product is not None:
        iri = ID[f"sample/{quote(product, safe='-._~')}"]
        _rename(graph, root, iri)
    else:
        mapped.problems.append(ImportProblem(Origin(source.name, column="schema:productID"),
                                             "the cell has neither @id nor schema:productID to name it by",
                                             expected="the cell's product ID (schema:productID)"))
        return
    identifier = product or str(iri)
    cells = {"type": "@type", "sampleShape": "@type", "identifier": "schema:productID",
             "prefLabel": "schema:name", "preparedBy": "schema:manufacturer", "madeOf": "hasActiveMaterial"}
    mapped.cells.update({(iri, key): Origin(source.name, column=col) for key, col in cells.items()})
    mapped.entries[iri] = Origin(source.name)
    resolver.register(BMK.Sample, identifier, iri)
    graph.add((iri, RDF.type, BMK.Sample))
    graph.add((iri, BMK.identifier, Literal(identifier)))
    graph.add((iri, SKOS.prefLabel, Literal(_value(graph, iri, "name") or identifier)))
    graph.add((iri, BMK.sampleShape, kinds[0]))
    _prepared_by(iri, source, resolver, mapped)
    for material in _materials(graph, iri, resolver.store):
        graph.add((iri, BMK.madeOf, material))


def _prepared_by(cell: URIRef, source: Source, resolver: Resolver, mapped: Mapped) -> None:
    graph = mapped.graph
    for maker in sorted({o for p in _schema("manufacturer") for o in graph.objects(cell, p)}, key=str):
        name = str(maker) if isinstance(maker, Literal) else _value(graph, maker, "name")
        if not name:
            continue
        found = resolver.resolve([BMK.Partner], name)
        if found.iri is not None:
            graph.add((cell, BMK.preparedBy, found.iri))
        else:
            mapped.problems.append(ImportProblem(
                Origin(source.name, column="schema:manufacturer.schema:name"),
                f"{found.problem}: bmk:preparedBy left out", name, found.expected, WARNING))


def _below(graph: Graph, node: Node) -> set[Node]:
    """The nodes reachable from a node."""
    seen: set[Node] = set()
    todo = [node]
    while todo:
        for o in graph.objects(todo.pop(), None):
            if not isinstance(o, Literal) and o not in seen:
                seen.add(o)
                todo.append(o)
    return seen


def _materials(graph: Graph, cell: URIRef, store: TripleStore) -> list[URIRef]:
    """Catalogue materials matching the classes of the cell's active materials."""
    below = _below(graph, cell) | {cell}
    active = {o for s, o in graph.subject_objects(HAS_ACTIVE_MATERIAL) if s in below}
    classes = sorted({t for node in active for t in graph.objects(node, RDF.type) if isinstance(t, URIRef)})
    if not classes:
        return []
    rows: list[list[Node | None]] = [[c] for c in classes]
    text = inject_values(query_text("import/battinfo-materials"), [(["class"], rows)], "battinfo/materials")
    return sorted({r["material"] for r in store.select(text).rows  # type: ignore[misc]
                   if isinstance(r["material"], URIRef)})

