"""The one place that finds the project's data files (ontology, shapes, queries, catalogue,
import mappings).

In an installed wheel they live in ``bigmap_kg/_data/``; in a source checkout they are the
top-level folders of the repository. ``BIGMAP_KG_DATA_DIR`` overrides both (a folder holding
``ontology/``, ``shapes/``, ``queries/``, ``catalogue/`` and ``mappings/``).
"""

from __future__ import annotations

import os
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

DATA_DIR_ENV = "BIGMAP_KG_DATA_DIR"
KINDS = ("ontology", "shapes", "queries", "catalogue", "mappings")


def data_root() -> Traversable:
    """The folder that holds the data kinds."""
    override = os.environ.get(DATA_DIR_ENV)
    if override:
        return Path(override)
    packaged = resources.files("bigmap_kg").joinpath("_data")
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent


def data_dir(kind: str) -> Traversable:
    """The folder of one kind of data (``ontology``, ``shapes``, ``queries``, ``catalogue``,
    ``mappings``)."""
    if kind not in KINDS:
        raise ValueError(f"unknown data kind {kind!r}; expected one of {', '.join(KINDS)}")
    return data_root().joinpath(kind)


def data_files(kind: str, suffix: str) -> list[Traversable]:
    """All files of a kind with the given suffix, in sorted order, recursing into folders."""
    found: list[Traversable] = []

    def walk(folder: Traversable, prefix: str) -> None:
        for item in folder.iterdir():
            if item.is_dir():
                walk(item, f"{prefix}{item.name}/")
            elif item.name.endswith(suffix):
                found.append(item)

    root = data_dir(kind)
    if root.is_dir():
        walk(root, "")
    return sorted(found, key=lambda t: str(t))


def relative_name(kind: str, item: Traversable) -> str:
    """A data file's name relative to its kind's folder, with ``/`` separators."""
    return str(item)[len(str(data_dir(kind))) + 1 :].replace(os.sep, "/")
