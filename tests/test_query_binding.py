"""Named-query parameters are written into the text as constants (Oxigraph plans around a
VALUES block badly), escaped as RDF terms, and never where a constant cannot stand."""

from __future__ import annotations

import pytest

from bigmap_kg.queries import parse_query
from bigmap_kg.sparql_text import substitute

HEADER = """#+ title: test
#+ parameters:
#+   name: {description: "a name, ?_name", type: string}
#+   flag: {description: "a flag", required: false, type: boolean}
"""


def test_a_value_with_quotes_and_backslashes_stays_one_literal(store):
    query = parse_query("t", HEADER + 'SELECT ?x WHERE { BIND(?_name AS ?x) }')
    text = query.bind({"name": 'Li" } ; DROP ALL ; # \\'})
    assert "DROP ALL" in text and store.select(text).rows[0]["x"].value == 'Li" } ; DROP ALL ; # \\'


def test_only_the_variable_is_replaced_not_strings_iris_or_comments():
    text = 'SELECT ?y WHERE { ?y <urn:?_name> "?_name" . # ?_name\n FILTER(?_name2 = ?_name) }'
    got = substitute(text, {"_name": '"A"'})
    assert got == 'SELECT ?y WHERE { ?y <urn:?_name> "?_name" . # ?_name\n FILTER(?_name2 = "A") }'


def test_bound_becomes_true_and_modifiers_get_an_expression():
    text = "SELECT ?a WHERE { ?a ?b ?c } GROUP BY ?a ?_flag HAVING (!BOUND(?_flag) || ?_flag)"
    got = substitute(text, {"_flag": "true"})
    assert got == "SELECT ?a WHERE { ?a ?b ?c } GROUP BY ?a (true) HAVING (!true || (true))"


def test_a_parameter_in_the_select_clause_keeps_the_values_block(store):
    query = parse_query("t", HEADER + "SELECT ?_name WHERE { }")
    assert substitute(query.text, {"_name": '"A"'}) is None
    text = query.bind({"name": "A"})
    assert "VALUES (?_name)" in text and str(store.select(text).rows[0]["_name"]) == "A"


def test_an_unset_optional_parameter_stays_unbound(store):
    query = parse_query("t", HEADER + 'SELECT ?set WHERE { BIND(BOUND(?_flag) AS ?set) FILTER(?_name = "A") }')
    assert str(store.select(query.bind({"name": "A"})).rows[0]["set"]) == "false"
    assert str(store.select(query.bind({"name": "A", "flag": "yes"})).rows[0]["set"]) == "true"


def test_a_query_may_keep_its_parameters_in_a_values_block(store):
    query = parse_query("t", HEADER + "#+ binding: values\nSELECT ?x WHERE { BIND(?_name AS ?x) }")
    text = query.bind({"name": "A"})
    assert "VALUES (?_name)" in text and str(store.select(text).rows[0]["x"]) == "A"


def test_an_unknown_binding_is_refused_naming_the_file():
    from bigmap_kg.errors import ParseError

    with pytest.raises(ParseError, match="binding must be constants or values") as caught:
        parse_query("odd.rq", HEADER + "#+ binding: paste\nSELECT ?x WHERE { }")
    assert caught.value.location is not None and caught.value.location.file == "odd.rq"


@pytest.mark.parametrize("value", ['x\n\\"', 'x\n\\\\"', 'a"b', "a\\", '"""', "é\u2028\r\n# }", "'''"])
def test_a_value_with_line_breaks_and_escapes_round_trips_as_one_literal(store, value):
    """Regression: rdflib's n3() closed a long string early for a line break then \\\\"."""
    query = parse_query("t", HEADER + "SELECT ?x ?y WHERE { BIND(?_name AS ?x) BIND(STR(?_name) AS ?y) }")
    row = store.select(query.bind({"name": value})).rows[0]
    assert str(row["x"]) == str(row["y"]) == value


@pytest.mark.parametrize("body", [
    "SELECT ?a WHERE { { SELECT ?a ?_name WHERE { ?a ?b ?c } } }",
    "SELECT ?a WHERE { ?a ?b ?c } ORDER BY ?_name VALUES ?a { <urn:a> }",
    "SELECT * WHERE { ?a ?b ?_name }",
])
def test_where_a_constant_might_not_stand_the_values_block_is_kept(store, body):
    query = parse_query("t", HEADER + body)
    assert substitute(query.text, {"_name": '"A"'}) is None
    store.select(query.bind({"name": "A"}))  # parses and runs


def test_a_parameter_bound_with_as_is_not_replaced():
    assert substitute("SELECT ?a WHERE { ?a ?b ?c BIND(?c AS ?_name) }", {"_name": '"A"'}) is None
