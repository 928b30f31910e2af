from __future__ import annotations

from pathlib import Path

import pytest

from bigmap_kg.errors import ParseError
from bigmap_kg.parsing import parse_bytes, parse_file


def test_turtle_syntax_error_names_file_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "bad.ttl"
    path.write_text('@prefix ex: <http://example.org/> .\nex:a ex:b ex:c .\nex:d ex:e "open .\n')
    with pytest.raises(ParseError) as info:
        parse_file(path)
    assert info.value.location.file == str(path)
    assert info.value.location.line == 3
    assert "bad.ttl, line 3, column" in str(info.value)


def test_jsonld_is_read_without_fetching_contexts() -> None:
    graph = parse_bytes(b'{"@context": {"p": "http://x/p"}, "@id": "http://x/a", "p": 1}', "a.jsonld")
    assert len(graph) == 1


def test_unknown_suffix_is_a_clear_error() -> None:
    with pytest.raises(ParseError, match="suffix"):
        parse_bytes(b"", "data.xlsx")


def test_non_utf8_input_is_refused() -> None:
    with pytest.raises(ParseError, match="UTF-8"):
        parse_bytes(b"\xff\xfe<a> <b> <c> .", "x.nt")
