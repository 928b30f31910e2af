"""Reading an RO-Crate (``.eln`` or zipped crate): our entries and their blank nodes, nothing of
the crate's own description (its metadata descriptor, root dataset, files, licence...).

The archive is checked first (:func:`bigmap_kg.importing.crate_format.load_metadata`), the JSON-LD is
read with a small inline context in place of the remote RO-Crate context (nothing is fetched),
and every problem is reported with the entity's place in ``@graph``.
"""

from __future__ import annotations

import difflib
import json
import re
from typing import Any
from urllib.parse import urljoin

from rdflib import BNode, Graph, URIRef
from rdflib.namespace import RDF
from rdflib.term import Node

from bigmap_kg.importing.crate_format import (
    BASE,
    INLINE_CONTEXT,
    MAX_MEMBER_BYTES,
    METADATA_FILE,
    RO_CRATE_CONTEXT,
    RO_CRATE_CONTEXT_URL,
    SCHEMA_NAME,
    Reading,
    compact,
    load_metadata,
)
from bigmap_kg.importing.problems import ERROR, WARNING, Origin
from bigmap_kg.importing.resolve import ENTRY_CLASSES, Resolver, local_name
from bigmap_kg.importing.source import Mapped, Source
from bigmap_kg.namespaces import BMK, BMK_IRI, ID
from bigmap_kg.queries import query_text


def read_crate(source: Source, resolver: Resolver, *, max_member_bytes: int = MAX_MEMBER_BYTES) -> Mapped:
    """The bigmap-kg entries of an ``.eln`` / zipped RO-Crate, as triples to store."""
    reading = Reading(source.name)
    doc = load_metadata(source.data, reading, max_member_bytes)
    if doc is None:
        return Mapped(problems=reading.problems)
    places = graph_places(doc)
    localise_contexts(doc, "", reading)
    if any(p.severity == ERROR for p in reading.problems):
        return Mapped(problems=reading.problems)
    graph = Graph()
    try:
        graph.parse(data=json.dumps(doc), format="json-ld", base=BASE)
    except Exception as exc:  # rdflib raises many kinds for bad JSON-LD
        reading.problem(f"{METADATA_FILE} is not valid JSON-LD: {exc}")
        return Mapped(problems=reading.problems)
    known = known_classes(resolver)
    if not known:
        reading.problem("the store holds no ontology, so the entities' classes are not checked",
                        severity=WARNING, expected="a store set up with bigmap-kg init")
    mapped = keep_entries(graph, places, known, reading)
    register(mapped, resolver)
    if not mapped.entries and not any(p.severity == ERROR for p in reading.problems):
        reading.problem("the crate holds no bigmap-kg entry (no entity typed with a bmk: class)",
                        severity=WARNING, expected="a crate exported by bigmap-kg")
    mapped.problems = reading.problems
    return mapped


# -- JSON-LD without the network ---------------------------------------------------------------

def localise_contexts(value: Any, path: str, reading: Reading) -> None:
    """Put the inline context in place of the RO-Crate context URL, wherever a @context is; any
    other remote context (or @import) is a problem, as nothing is fetched."""
    if isinstance(value, list):
        for i, item in enumerate(value):
            localise_contexts(item, f"{path}[{i}]", reading)
    elif isinstance(value, dict):
        for key in list(value):
            where = f"{path}.{key}" if path else key
            if key == "@context":
                value[key] = local_context(value[key], where, reading)
            else:
                localise_contexts(value[key], where, reading)


def local_context(context: Any, path: str, reading: Reading) -> Any:
    if isinstance(context, str):
        if RO_CRATE_CONTEXT_URL.match(context):
            return dict(INLINE_CONTEXT)
        reading.problem("remote JSON-LD context, not fetched (an import reads no network)",
                        column=path, value=context, expected=f"{RO_CRATE_CONTEXT} and inline terms")
        return None
    if isinstance(context, list):
        return [local_context(item, f"{path}[{i}]", reading) for i, item in enumerate(context)]
    if isinstance(context, dict):
        if "@import" in context:
            reading.problem("JSON-LD @import, not fetched (an import reads no network)",
                            column=f"{path}.@import", value=str(context["@import"]))
        localise_contexts(context, path, reading)  # scoped contexts inside term definitions
    return context


def graph_places(doc: dict[str, Any]) -> dict[str, tuple[int, dict[str, Any]]]:
    """Where each @graph entity is: its expanded @id (``_:label`` for blank nodes) -> (index, node)."""
    prefixes = dict(INLINE_CONTEXT)
    contexts = doc.get("@context")
    for context in contexts if isinstance(contexts, list) else [contexts]:
        if isinstance(context, dict):
            prefixes.update({k: v for k, v in context.items() if isinstance(v, str)})
    places: dict[str, tuple[int, dict[str, Any]]] = {}
    for i, node in enumerate(doc["@graph"]):
        if isinstance(node, dict) and isinstance(node.get("@id"), str):
            places.setdefault(expand(node["@id"], prefixes), (i, node))
    return places


def expand(value: str, prefixes: dict[str, str]) -> str:
    head, sep, rest = value.partition(":")
    if value.startswith("_:"):
        return value
    if sep and head in prefixes and not rest.startswith("//"):
        return prefixes[head] + rest
    if sep and re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*", head):
        return value
    return urljoin(BASE, value)


# -- our entries -------------------------------------------------------------------------------

def known_classes(resolver: Resolver) -> set[URIRef]:
    rows = resolver.store.select(query_text("import/ontology-classes")).rows
    return {row["c"] for row in rows if isinstance(row["c"], URIRef)}


def is_ours(graph: Graph, subject: URIRef) -> bool:
    """Typed with a bmk: class, or named under https://w3id.org/bigmap-kg/id/."""
    return str(subject).startswith(str(ID)) or any(
        str(t).startswith(BMK_IRI) for t in graph.objects(subject, RDF.type))


def keep_entries(graph: Graph, places: dict[str, tuple[int, dict[str, Any]]], known: set[URIRef],
                 reading: Reading) -> Mapped:
    """Our entities, each with its blank nodes, its place in @graph and its properties' places."""
    mapped = Mapped()
    fresh: dict[BNode, BNode] = {}
    for subject in sorted(s for s in set(graph.subjects()) if isinstance(s, URIRef)):
        if not is_ours(graph, subject):
            continue
        index, node = places.get(str(subject), (None, {}))
        row = None if index is None else index + 1
        if not acceptable(graph, subject, known, row, reading):
            continue
        mapped.entries[subject] = Origin(reading.file, row=row)
        mapped.rows += 1
        copy_description(graph, subject, mapped.graph, fresh, row, reading)
        add_cells(mapped, subject, node, index, reading.file)
    for old, new in fresh.items():
        index, node = places.get(f"_:{old}", (None, {}))
        add_cells(mapped, new, node, index, reading.file)
    return mapped


def acceptable(graph: Graph, subject: URIRef, known: set[URIRef], row: int | None,
               reading: Reading) -> bool:
    """An entry needs its own IRI and a class of the ontology; a bare reference (an @id with
    only a name) is skipped quietly."""
    own = [(p, o) for p, o in graph.predicate_objects(subject) if p != SCHEMA_NAME]
    if not own:
        return False
    where = f"@graph[{row - 1}]" if row else None
    if str(subject).startswith(BASE):
        reading.problem("an entity typed with a bmk: class has a crate-local @id", row=row, column=where,
                        value=str(subject)[len(BASE):], expected="its bigmap-kg IRI (https://w3id.org/...)")
        return False
    types = [t for t in graph.objects(subject, RDF.type) if isinstance(t, URIRef)]
    if not known:  # no ontology to check against (said once, in read_crate)
        return True
    unknown = [t for t in types if str(t).startswith(BMK_IRI) and t not in known]
    for cls in unknown:
        close = difflib.get_close_matches(compact(str(cls)), [compact(str(k)) for k in known], n=3)
        reading.problem(f"entity {subject} is typed with an unknown class", row=row,
                        column=f"{where}.@type" if where else None, value=compact(str(cls)),
                        expected=("one of " + ", ".join(close)) if close else "a class of the ontology")
    if not unknown and not any(t in known for t in types):
        reading.problem(f"entity {subject} has no class of the ontology", row=row, column=where,
                        value=", ".join(compact(str(t)) for t in types) or None,
                        expected="@type with its bmk: class, e.g. bmk:Sample")
        return False
    return not unknown


def copy_description(graph: Graph, subject: URIRef, target: Graph, fresh: dict[BNode, BNode],
                     row: int | None, reading: Reading) -> None:
    """The entity's triples and its blank nodes' (relabelled, so that two crates never share a
    blank node); the readers' ``name`` and links to the crate's own items are left out."""
    todo: list[Node] = [subject]
    seen: set[Node] = set()
    while todo:
        node = todo.pop()
        if node in seen:
            continue
        seen.add(node)
        for p, o in graph.predicate_objects(node):  # type: ignore[arg-type]
            if node == subject and p == SCHEMA_NAME:
                continue
            if isinstance(o, URIRef) and str(o).startswith(BASE):
                reading.problem(f"{subject} links {compact(str(p))} to an item of the crate, not imported",
                                row=row, value=str(o)[len(BASE):], severity=WARNING)
                continue
            if isinstance(o, BNode):
                todo.append(o)
            target.add((renamed(node, fresh), p, renamed(o, fresh)))


def renamed(term: Node, fresh: dict[BNode, BNode]) -> Any:
    if isinstance(term, BNode):
        return fresh.setdefault(term, BNode())
    return term


def add_cells(mapped: Mapped, subject: Node, node: dict[str, Any], index: int | None, file: str) -> None:
    if index is None:
        return
    for key in node:
        if not key.startswith("@") and key != "name":
            mapped.cells[(subject, local_name(key.split(":")[-1]))] = Origin(
                file, row=index + 1, column=f"@graph[{index}].{key}")


def register(mapped: Mapped, resolver: Resolver) -> None:
    """Entries become known to the rest of the import by their IDs."""
    for entry in mapped.entries:
        for cls in ENTRY_CLASSES:
            if (entry, RDF.type, cls) in mapped.graph:
                for identifier in mapped.graph.objects(entry, BMK.identifier):
                    resolver.register(cls, str(identifier), entry)
