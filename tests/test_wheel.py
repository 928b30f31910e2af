"""The wheel carries the data files (ontology, shapes, queries, catalogue)."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import REPO


@pytest.mark.slow
def test_wheel_contains_every_data_file(tmp_path: Path) -> None:
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
                    "--no-build-isolation", str(REPO), "-w", str(tmp_path)], check=True)
    wheel = next(tmp_path.glob("bigmap_kg-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for kind, suffix in (("ontology", ".ttl"), ("shapes", ".ttl"), ("queries", ".rq"),
                         ("catalogue", ".ttl")):
        expected = {f"bigmap_kg/_data/{kind}/{p.relative_to(REPO / kind).as_posix()}"
                    for p in (REPO / kind).rglob(f"*{suffix}")}
        assert expected and expected <= names, kind
    assert "bigmap_kg/py.typed" in names
    service = {f"api/{p.relative_to(REPO / 'api').as_posix()}" for p in (REPO / "api").rglob("*")
               if p.is_file() and "__pycache__" not in p.parts}
    assert service and service <= names, sorted(service - names)
