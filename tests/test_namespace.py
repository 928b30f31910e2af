"""The Python namespace and the Turtle ontology name exactly the same terms."""

from __future__ import annotations

import pytest
from rdflib import URIRef

from bigmap_kg.namespaces import BMK, BMK_IRI
from bigmap_kg.validation import load_kind


def test_every_code_term_exists_in_the_ontology_and_the_reverse() -> None:
    onto = load_kind("ontology")
    in_turtle = {str(s)[len(BMK_IRI):] for s in onto.subjects()
                 if isinstance(s, URIRef) and str(s).startswith(BMK_IRI) and str(s) != BMK_IRI}
    in_code = {name for name in BMK.__annotations__}
    assert in_turtle == in_code


def test_unknown_terms_fail_loudly() -> None:
    with pytest.raises(AttributeError):
        _ = BMK.NoSuchTerm
