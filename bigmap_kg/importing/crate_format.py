"""The RO-Crate / ``.eln`` form of a sample's entries, shared by the writer and the reader: the
JSON-LD vocabulary (our prefixes, the inline stand-in for the RO-Crate context), the names in the
archive, and the archive's checks (unsafe member names, sizes) and layout (one top folder).

See :mod:`bigmap_kg.importing.crate` for the format as a whole.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS, XSD

from bigmap_kg.importing.problems import ERROR, WARNING, ImportProblem, Origin
from bigmap_kg.namespaces import BMK_IRI

RO_CRATE_CONTEXT = "https://w3id.org/ro/crate/1.1/context"
RO_CRATE_SPEC = "https://w3id.org/ro/crate/1.1"
METADATA_FILE = "ro-crate-metadata.json"
TURTLE_FILE = "bigmap-kg.ttl"
SCHEMA = "http://schema.org/"
SCHEMA_NAME = URIRef(SCHEMA + "name")

# Our prefixes: the keys of every entry's properties and the values of its @type.
PREFIXES: dict[str, str] = {
    "bmk": BMK_IRI,
    "skos": str(SKOS),
    "xsd": str(XSD),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": str(OWL),
    "dcterms": "http://purl.org/dc/terms/",
    "prov": "http://www.w3.org/ns/prov#",
}

# The few RO-Crate 1.1 context terms a crate of ours uses, as that context maps them: the reader
# puts this in place of the remote context, so that nothing is fetched.
SCHEMA_TERMS = ("CreativeWork", "Dataset", "Organization", "about", "name", "description",
                "datePublished", "dateCreated", "license", "hasPart", "mentions", "encodingFormat",
                "contentSize", "sdPublisher", "url", "identifier", "author", "text", "keywords")
INLINE_CONTEXT: dict[str, str] = {
    **{term: SCHEMA + term for term in SCHEMA_TERMS},
    "File": SCHEMA + "MediaObject",
    "conformsTo": "http://purl.org/dc/terms/conformsTo",
    "schema": SCHEMA,
}
RO_CRATE_CONTEXT_URL = re.compile(r"^https?://w3id\.org/ro/crate/[^/]+/context/?$")

BASE = "https://crate.invalid/"  # crate-relative @ids resolve under it (a reserved name)
MAX_MEMBER_BYTES = 256 * 1024 * 1024
MAX_RATIO = 200  # uncompressed / compressed, for members over 1 MiB
MAX_MEMBERS = 100_000


def compact(iri: str) -> str:
    """``https://w3id.org/bigmap-kg/ontology#Sample`` -> ``bmk:Sample``; other IRIs unchanged.
    A local part that JSON-LD would read as an absolute IRI (``//...``) is not compacted."""
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace):
            local = iri[len(namespace):]
            if local and not local.startswith("//"):
                return f"{prefix}:{local}"
    return iri


def display_name(graph: Graph, entry: URIRef) -> str:
    """What a reader of the crate sees as the entry's ``name``: its English (or any) preferred
    label, else its ID, else the last part of its IRI."""
    labels = [o for o in graph.objects(entry, SKOS.prefLabel) if isinstance(o, Literal)]
    labels.sort(key=lambda label: (label.language not in ("en", None), str(label)))
    if labels:
        return str(labels[0])
    ids = sorted(str(o) for o in graph.objects(entry, URIRef(BMK_IRI + "identifier")))
    return ids[0] if ids else re.split(r"[/#]", str(entry).rstrip("/#"))[-1]


def folder_name(sample_id: str) -> str:
    """The archive's one top folder (and the ``.eln`` file's name without suffix)."""
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", sample_id).strip("-.") or "sample"
    return f"bigmap-kg-{slug}"


@dataclass
class Reading:
    """One crate being read: its name for problems, and what was found so far."""

    file: str
    problems: list[ImportProblem] = field(default_factory=list)

    def problem(self, message: str, *, row: int | None = None, column: str | None = None,
                value: str | None = None, expected: str | None = None, severity: str = ERROR) -> None:
        self.problems.append(ImportProblem(Origin(self.file, row=row, column=column), message,
                                           value, expected, severity))


# -- reading the archive -----------------------------------------------------------------------------

def load_metadata(data: bytes, reading: Reading, limit: int) -> dict[str, Any] | None:
    """The parsed ro-crate-metadata.json, or None with the problems said."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError):
        reading.problem("the file is not a ZIP archive", expected="an .eln file or a zipped RO-Crate")
        return None
    with archive:
        infos = archive.infolist()
        if not safe_members(infos, reading, limit):
            return None
        member = metadata_member(infos, reading)
        if member is None:
            return None
        raw = read_member(archive, member, reading, limit)
    return None if raw is None else parse_json(raw, member.filename, reading)


def unsafe_name(name: str) -> bool:
    parts = re.split(r"[/\\]", name)
    return (name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name) is not None
            or ".." in parts or "\x00" in name)


def safe_members(infos: list[zipfile.ZipInfo], reading: Reading, limit: int) -> bool:
    """Refuse the archive when a member's name climbs out of the folder (``../x``, ``/etc/x``),
    or a member is larger than the limit or compressed like a zip bomb."""
    if len(infos) > MAX_MEMBERS:
        reading.problem(f"the archive holds {len(infos)} members", expected=f"at most {MAX_MEMBERS}")
        return False
    found = len(reading.problems)
    for info in infos:
        if unsafe_name(info.filename):
            reading.problem("unsafe member name in the archive: it points outside the archive's folder",
                            value=info.filename, expected="relative names without '..', '/' or a drive")
        elif info.file_size > limit:
            reading.problem(f"archive member too large ({info.file_size} bytes)", value=info.filename,
                            expected=f"at most {limit} bytes per member")
        elif info.file_size > 2**20 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            reading.problem("archive member compressed suspiciously well (a zip bomb?)",
                            value=info.filename,
                            expected=f"a compression ratio below {MAX_RATIO}:1")
    return len(reading.problems) == found


def metadata_member(infos: list[zipfile.ZipInfo], reading: Reading) -> zipfile.ZipInfo | None:
    """ro-crate-metadata.json at the root (zipped RO-Crate) or in the one top folder (.eln)."""
    files = [i for i in infos if not i.is_dir()]
    root = [i for i in files if i.filename == METADATA_FILE]
    nested = [i for i in files if i.filename.count("/") == 1 and i.filename.endswith("/" + METADATA_FILE)]
    if root:
        return root[0]
    if len(nested) == 1:
        return nested[0]
    if nested:
        reading.problem(f"{len(nested)} top folders hold a {METADATA_FILE}",
                        value=", ".join(i.filename for i in nested),
                        expected="one top folder (the .eln layout)")
    else:
        reading.problem(f"the archive holds no {METADATA_FILE}",
                        expected=f"<folder>/{METADATA_FILE} (an .eln file) or {METADATA_FILE} at the root")
    return None


def read_member(archive: zipfile.ZipFile, member: zipfile.ZipInfo, reading: Reading,
                limit: int) -> bytes | None:
    """The member's bytes, read no further than the limit (its header may lie about its size)."""
    try:
        with archive.open(member) as handle:
            raw = handle.read(limit + 1)
    except (RuntimeError, NotImplementedError, zipfile.BadZipFile, zlib.error, OSError) as exc:
        reading.problem(f"cannot read {member.filename} from the archive: {exc}",
                        expected="an unencrypted member, stored or deflated")
        return None
    if len(raw) > limit:
        reading.problem(f"{member.filename} unpacks to more than {limit} bytes", value=member.filename,
                        expected=f"at most {limit} bytes")
        return None
    return raw


def parse_json(raw: bytes, name: str, reading: Reading) -> dict[str, Any] | None:
    try:
        doc = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        reading.problem(f"{name} is not UTF-8 text (byte {exc.start})", expected="UTF-8 JSON")
        return None
    except json.JSONDecodeError as exc:
        reading.problem(f"{name} is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}",
                        expected="a JSON-LD object with @context and @graph")
        return None
    if not isinstance(doc, dict) or not isinstance(doc.get("@graph"), list):
        reading.problem(f"{name} has no @graph list", column="@graph",
                        expected="a flattened RO-Crate: {\"@context\": ..., \"@graph\": [...]}")
        return None
    if not any(is_descriptor(node) for node in doc["@graph"]):
        reading.problem(f"{name} has no RO-Crate metadata descriptor", severity=WARNING,
                        expected=f"an entity {METADATA_FILE} that conformsTo {RO_CRATE_SPEC}")
    return doc


def is_descriptor(node: Any) -> bool:
    if not isinstance(node, dict) or node.get("@id") not in (METADATA_FILE, "./" + METADATA_FILE):
        return False
    conforms = node.get("conformsTo")
    targets = conforms if isinstance(conforms, list) else [conforms]
    return any(isinstance(t, dict) and str(t.get("@id", "")).startswith("https://w3id.org/ro/crate/")
               for t in targets)


# -- writing the archive -----------------------------------------------------------------------------

def zip_crate(folder: str, files: dict[str, bytes], when: datetime) -> bytes:
    """The ZIP: one top folder holding the files (the .eln layout), with fixed timestamps."""
    when = max(when.replace(tzinfo=None), datetime(1980, 1, 1))  # the oldest time a ZIP holds
    stamp = (when.year, when.month, when.day, when.hour, when.minute, when.second)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        top = zipfile.ZipInfo(f"{folder}/", stamp)
        top.external_attr = (0o40755 << 16) | 0x10
        archive.writestr(top, b"")
        for name, content in files.items():
            info = zipfile.ZipInfo(f"{folder}/{name}", stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, content)
    return buffer.getvalue()

