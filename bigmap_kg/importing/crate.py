"""A sample's entries as an RO-Crate in an ``.eln`` archive, written and read back without loss.

The archive (the ELN Consortium's format) is a ZIP holding one folder, in it
``ro-crate-metadata.json`` (RO-Crate 1.1 JSON-LD) and ``bigmap-kg.ttl`` (the same triples as
Turtle). Besides the crate's own entities (metadata descriptor, root dataset, file, licence,
publisher), every entry is an entity of ``@graph`` with its IRI as ``@id``, its classes as
``@type``, its properties under prefixed keys (``bmk:measuredSample``) so that they mean the same
with or without the RO-Crate context, and a schema.org ``name`` for readers; its blank nodes are
entities with ``_:`` identifiers.

- :func:`export_crate` (:mod:`~bigmap_kg.importing.crate_export`): a sample (ID or IRI) with its
  lineage, measurements, shipments, archive records and notebook entries.
- :func:`read_crate` (:mod:`~bigmap_kg.importing.crate_import`): the entries of an ``.eln`` or
  zipped RO-Crate, as a :class:`~bigmap_kg.importing.source.Mapped` for the import pipeline.
- :mod:`~bigmap_kg.importing.crate_format`: what both share.
"""

from __future__ import annotations

from bigmap_kg.importing.crate_export import export_crate
from bigmap_kg.importing.crate_import import read_crate

__all__ = ["export_crate", "read_crate"]
