"""Reasoning over the ontology plus stored data with owlready2 (HermiT, needs Java)."""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, Literal
from rdflib.namespace import OWL, RDF, RDFS, SKOS, XSD

from bigmap_kg.errors import OntologyInconsistent, StoreError

_DISJOINT_CLASH = """
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT DISTINCT ?x ?a ?b WHERE {
  ?d a owl:AllDisjointClasses ; owl:members ?list .
  ?list rdf:rest*/rdf:first ?a . ?list rdf:rest*/rdf:first ?b .
  FILTER(STR(?a) < STR(?b))
  ?x rdf:type/rdfs:subClassOf* ?a . ?x rdf:type/rdfs:subClassOf* ?b .
}"""
_PAIR_CLASH = """
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT DISTINCT ?x ?a ?b WHERE {
  ?a owl:disjointWith ?b .
  ?x rdf:type/rdfs:subClassOf* ?a . ?x rdf:type/rdfs:subClassOf* ?b .
}"""


_RANGE_CLASH = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
SELECT DISTINCT ?x ?a ?b WHERE {
  ?p rdfs:range ?a . FILTER(STRSTARTS(STR(?a), STR(xsd:)))
  ?x ?p ?v . FILTER(isLiteral(?v))
  BIND(DATATYPE(?v) AS ?b)
  FILTER(?a != ?b && !(?a = xsd:decimal && ?b IN (xsd:integer, xsd:nonNegativeInteger, xsd:positiveInteger))
         && !(?a = xsd:string && ?b = rdf:langString))
}"""


@dataclass
class CheckResult:
    consistent: bool
    classes: int
    individuals: int
    explanations: list[str] = field(default_factory=list)


# Datatypes outside the OWL 2 datatype map, which HermiT refuses: their ranges are dropped and
# their values given to the reasoner as plain strings (they carry no logical content here).
_NON_OWL2 = {XSD.date, XSD.gYearMonth, XSD.gYear, XSD.duration}


def _reasoning_graph(ontology: Graph, data: Graph) -> Graph:
    """OWL-relevant triples only, with values HermiT can read."""
    merged = Graph()
    for graph in (ontology, data):
        for s, p, o in graph:
            if p in (SKOS.definition, SKOS.altLabel) or (p == RDFS.range and o in _NON_OWL2):
                continue
            if isinstance(o, Literal) and o.datatype in _NON_OWL2:
                o = Literal(str(o))
            merged.add((s, p, o))
    return merged


def explain(graph: Graph) -> list[str]:
    """Axioms a contradiction comes from, in words (disjoint classes shared by one individual)."""
    found = []
    for query in (_DISJOINT_CLASH, _PAIR_CLASH):
        for row in graph.query(query):
            x, a, b = row  # type: ignore[misc]
            found.append(f"{x} is both a {_name(graph, a)} and a {_name(graph, b)}, "
                         f"which the ontology declares disjoint (owl:AllDisjointClasses / owl:disjointWith)")
    for row in graph.query(_RANGE_CLASH, initNs={"rdf": RDF}):
        x, a, b = row  # type: ignore[misc]
        found.append(f"{x} has a value of datatype {b} where the property's rdfs:range is {a}")
    return sorted(set(found))


def _name(graph: Graph, node: object) -> str:
    label = graph.value(node, SKOS.prefLabel)  # type: ignore[arg-type,call-overload]
    return str(label) if label is not None else str(node)


def check(ontology: Graph, data: Graph) -> CheckResult:
    """Run HermiT over ontology + data; raise OntologyInconsistent naming the offending axioms."""
    import owlready2

    if shutil.which("java") is None:
        raise StoreError("the reasoner needs Java, and no java is on PATH",
                         hint="install a headless JRE (Debian: default-jre-headless)")
    graph = _reasoning_graph(ontology, data)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "check.nt"
        graph.serialize(destination=str(path), format="nt", encoding="utf-8")
        world = owlready2.World()
        onto = world.get_ontology(path.as_uri()).load()
        classes = len(set(graph.subjects(RDF.type, OWL.Class)))
        individuals = len({s for s, o in graph.subject_objects(RDF.type)
                           if (o, RDF.type, OWL.Class) in graph})
        try:
            with onto:
                owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
        except owlready2.OwlReadyJavaError as exc:
            raise StoreError(f"the reasoner failed: {str(exc)[:800]}") from exc
        except owlready2.OwlReadyInconsistentOntologyError as exc:
            reasons = explain(graph) or [f"HermiT: {str(exc).strip()[:500]}"]
            raise OntologyInconsistent(
                "the ontology plus the stored data is inconsistent:\n  - " + "\n  - ".join(reasons),
                hint="remove or correct the entries named above") from exc
        unsat = [str(c.iri) for c in world.inconsistent_classes()]
    return CheckResult(not unsat, classes, individuals,
                       [f"unsatisfiable class {c}" for c in unsat])
