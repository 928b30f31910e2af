"""How deeply a text nests its brackets: Oxigraph's JSON-LD parser and SPARQL evaluator recurse
on nesting and crash the whole process (a segmentation fault, not an exception) on a few thousand
levels, so hostile input must be refused before it reaches them."""

from __future__ import annotations

import re
from functools import cache

MAX_DEPTH = 256  # real documents and queries nest a few dozen levels at most
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)


def deepest(text: str, opening: str = "{[", closing: str = "}]") -> tuple[int, int]:
    """The largest nesting depth of the brackets and the line where it is first reached (only
    the brackets are walked: a 20 MB update of N-Triples holds few of them)."""
    depth = best = best_at = 0
    for found in _brackets(opening + closing).finditer(text):
        if found.group() in opening:
            depth += 1
            if depth > best:
                best, best_at = depth, found.start()
        else:
            depth -= 1
    return best, text.count("\n", 0, best_at) + 1


@cache
def _brackets(chars: str) -> re.Pattern[str]:
    return re.compile("[" + re.escape(chars) + "]")


def json_depth(text: str) -> tuple[int, int]:
    """Nesting depth of a JSON text (brackets inside strings do not count; newlines are kept)."""
    return deepest(_JSON_STRING.sub(lambda m: "\n" * m.group().count("\n"), text))
