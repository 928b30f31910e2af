"""What a SPARQL text asks for, read from its keywords: an update, or a federated SERVICE call.

The text is scanned lexically: comments, string literals and IRIs are removed first, so a keyword
inside them does not count, and a keyword must stand alone (not part of a prefixed name such as
``ex:drop`` or a variable such as ``?add``). No query form of SPARQL 1.1 uses an update keyword,
so finding one anywhere means the text is (or hides) an update.
"""

from __future__ import annotations

import re

_STRINGS = re.compile(r'"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\''
                      r'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'', re.DOTALL)
_IRIS = re.compile(r'<[^<>"{}|^`\\\s]*>')
_COMMENTS = re.compile(r"#[^\n]*")
_UPDATE = re.compile(r"(?<![\w:?$.-])(INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD|WITH)(?![\w:-])",
                     re.IGNORECASE)
_SERVICE = re.compile(r"(?<![\w:?$.-])SERVICE(?![\w:-])", re.IGNORECASE)


_LEXICAL = re.compile(f"{_STRINGS.pattern}|{_IRIS.pattern}|{_COMMENTS.pattern}", re.DOTALL)


def _bare(text: str) -> str:
    """The text with string literals, IRIs and comments blanked out (in an order that keeps
    ``#`` in an IRI or a string from starting a comment), same length: positions in it are
    positions in the text."""
    return _LEXICAL.sub(lambda m: " " * len(m.group(0)), text)


def is_update(sparql: str) -> bool:
    """True when the text is (or contains) a SPARQL update rather than only a query."""
    return _UPDATE.search(_bare(sparql)) is not None


def uses_service(sparql: str) -> bool:
    """True when the query calls another endpoint (``SERVICE``)."""
    return _SERVICE.search(_bare(sparql)) is not None


def nesting(sparql: str) -> int:
    """How deeply the query nests groups and expressions (``{``, ``(``, ``[``)."""
    from bigmap_kg.nesting import deepest

    return deepest(_bare(sparql), "{([", "})]")[0]


_FORM = re.compile(r"(?<![\w:?$.-])(SELECT|ASK|CONSTRUCT|DESCRIBE)(?![\w:-])", re.IGNORECASE)


def query_form(sparql: str) -> str:
    """SELECT, ASK, CONSTRUCT or DESCRIBE: the first query-form keyword outside comments,
    strings and IRIs (SELECT when none is found, so that the server reports the mistake)."""
    found = _FORM.search(_bare(sparql))
    return found.group(1).upper() if found else "SELECT"


_VAR = r"[?$]\w+"
_ORDER_KEY = rf"(?:{_VAR}|(?:ASC|DESC)\s*\(\s*{_VAR}\s*\))"
_BOUNDED_TAIL = re.compile(
    rf"\s*(?:GROUP\s+BY(?:\s+{_VAR})+\s*)?(?:ORDER\s+BY(?:\s*{_ORDER_KEY})+\s*)?"
    r"(?:LIMIT\s+(?P<limit>\d+)(?:\s+OFFSET\s+\d+)?|OFFSET\s+\d+\s+LIMIT\s+(?P<limit2>\d+))\s*",
    re.IGNORECASE)


# Characters of an expression that an IRI never needs: a `<...>` holding one may be a
# less-than sign and a greater-than sign (``?a<?b&&?c>?d``), so the text is not read as bounded.
_OPERATOR_CHARS = frozenset("?$(),&!='")


def top_level_limit(sparql: str) -> int | None:
    """The query's own LIMIT, when it surely is one: after its last ``}`` outside strings, IRIs
    and comments comes nothing but GROUP BY / ORDER BY of variables and LIMIT (and OFFSET), and
    no ``<...>`` of the text could be comparison signs rather than an IRI. None otherwise, also
    when in doubt: the answer is then read row by row, with the row limit checked."""
    for token in _LEXICAL.finditer(sparql):  # strings, IRIs and comments, left to right
        if token.group(0).startswith("<") and _OPERATOR_CHARS.intersection(token.group(0)):
            return None
    end = _bare(sparql).rfind("}")
    if end < 0:
        return None
    tail = sparql[end + 1:]
    if any(not token.group(0).startswith("#") for token in _LEXICAL.finditer(tail)):
        return None  # a string or an IRI after the last brace: no plain solution modifiers
    found = _BOUNDED_TAIL.fullmatch(_COMMENTS.sub(" ", tail))
    if found is None:
        return None
    return int(found.group("limit") or found.group("limit2"))


_SELECT = re.compile(r"(?<![\w:?$.-])SELECT(?![\w:-])", re.IGNORECASE)
_UNSAFE_FOR_CONSTANTS = re.compile(r"(?<![\w:?$.-])VALUES(?![\w:-])|SELECT\s+(?:DISTINCT\s+|REDUCED\s+)?\*",
                                   re.IGNORECASE)
_TOKENS = re.compile(_LEXICAL.pattern +
                     r"|(?P<bound>BOUND\s*\(\s*[?$](?P<bname>\w+)\s*\))|(?P<var>[?$](?P<name>\w+))",
                     re.DOTALL | re.IGNORECASE)


def substitute(sparql: str, terms: dict[str, str]) -> str | None:
    """The query with each variable of ``terms`` (names without ``?``) replaced by its constant
    (SPARQL text of an RDF term, already escaped): ``BOUND(?v)`` becomes ``true``, a use in
    the WHERE group the term itself, a use after it (GROUP BY, HAVING, ORDER BY) the term in
    parentheses, which those clauses take as an expression. None (keep a VALUES block) where a
    constant might not stand or would change the answer: a use in the SELECT clause, a query
    with sub-queries, a VALUES block or SELECT *, a parameter bound with AS."""
    masked = _bare(sparql)
    if _UNSAFE_FOR_CONSTANTS.search(masked) or len(_SELECT.findall(masked)) > 1 or any(
            re.search(rf"\bAS\s+[?$]{re.escape(name)}\b", masked, re.IGNORECASE) for name in terms):
        return None  # sub-queries, VALUES, SELECT *, or a parameter bound by AS: keep VALUES
    body_start, tail_start = masked.find("{"), masked.rfind("}")
    out: list[str] = []
    position = 0
    for match in _TOKENS.finditer(sparql):
        name = match.group("bname") or match.group("name")
        if name not in terms:
            continue
        if match.start() < body_start:
            return None
        if match.group("bound"):
            replacement = "true"
        else:
            replacement = terms[name] if match.start() < tail_start else f"({terms[name]})"
        out += [sparql[position:match.start()], replacement]
        position = match.end()
    out.append(sparql[position:])
    return "".join(out)
