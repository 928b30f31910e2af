"""How deeply a text nests its brackets: Oxigraph's JSON-LD parser and SPARQL evaluator recurse
on nesting and crash the whole process (a segmentation fault, not an exception) on a few thousand
levels, so hostile input must be refused before it reaches them."""

from __future__ import annotations

import re

MAX_DEPTH = 256  # real documents and queries nest a few dozen levels at most
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)


def deepest(text: str, opening: str = "{[", closing: str = "}]") -> tuple[int, int]:
    """The largest nesting depth of the brackets and the line where it is first reached."""
    depth = best = 0
    line = best_line = 1
    for char in text:
        if char == "\n":
            line += 1
        elif char in opening:
            depth += 1
            if depth > best:
                best, best_line = depth, line
        elif char in closing:
            depth -= 1
    return best, best_line


def json_depth(text: str) -> tuple[int, int]:
    """Nesting depth of a JSON text (brackets inside strings do not count; newlines are kept)."""
    return deepest(_JSON_STRING.sub(lambda m: "\n" * m.group().count("\n"), text))
