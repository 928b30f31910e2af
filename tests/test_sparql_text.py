"""What the service reads from a query's text before running it: its own LIMIT."""

from __future__ import annotations

import pytest

from bigmap_kg.sparql_text import top_level_limit

BMK = "https://w3id.org/bigmap-kg/ontology#"


@pytest.mark.parametrize(("query", "limit"), [
    (f"SELECT ?m ?d WHERE {{ ?m <{BMK}startDate> ?d }} LIMIT 1000", 1000),  # '#' inside an IRI
    (f"SELECT ?m WHERE {{ ?m a <{BMK}Measurement> }} ORDER BY DESC(?m) LIMIT 20 OFFSET 40", 20),
    ("SELECT ?p (COUNT(*) AS ?n) WHERE { ?m ?p ?o } GROUP BY ?p OFFSET 5 LIMIT 7", 7),
    ("SELECT * WHERE { ?s ?p ?o } LIMIT 5 # five are enough", 5),
    ("SELECT * WHERE { ?s ?p ?o }\n# a closing } in a comment\nLIMIT 9", 9),
    ('SELECT * WHERE { ?s ?p "}" } LIMIT 4', 4),
])
def test_the_query_s_own_limit_is_read(query, limit):
    assert top_level_limit(query) == limit


@pytest.mark.parametrize("query", [
    "SELECT * WHERE { ?s ?p ?o }",
    "SELECT * WHERE { ?s ?p ?o } # LIMIT 5",
    "SELECT * WHERE { { SELECT * WHERE { ?s ?p ?o } LIMIT 5 } }",  # the sub-query's
    "SELECT * WHERE { ?s ?p ?o FILTER(?o<?p&&?s>?o) } LIMIT 5",  # '<?p&&?s>' could be an IRI
    "SELECT * WHERE { ?s ?p ?o } ORDER BY (?o<?s)#> LIMIT 3",
    'SELECT * WHERE { ?s ?p ?o } "}" LIMIT 7',  # a string after the last brace
    "SELECT * WHERE { ?s <http://example.org/find?q=1> ?o } LIMIT 3",  # in doubt: row by row
    "SELECT * WHERE { ?s ?p ?o } LIMIT 3 VALUES ?s { <urn:a> }",
])
def test_a_limit_that_may_not_be_the_query_s_own_is_not_read(query):
    assert top_level_limit(query) is None
