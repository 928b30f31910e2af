"""The query benchmark's results: per store size the load figures, each case's timings and the
peak memory; written as ``queries.md`` (tables for readers) and ``queries.json`` (for tools)."""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.query_worker import Timing
from benchmarks.results import LoadFigures, machine_line


@dataclass
class SizeRun:
    """One store size: how it was made and what each case took on it."""

    measurements: int
    quads: int  # the whole store: ontology, shapes, catalogue and the synthetic logbook
    load: LoadFigures | None
    timings: list[Timing] = field(default_factory=list)
    peak_rss_mib: float = 0.0
    backend_load_seconds: float | None = None  # a server's own load of the store (Virtuoso)


@dataclass
class QueryResults:
    backend: str
    options: dict[str, object]
    catalogue_seconds: float = 0.0
    catalogue_quads: int = 0
    sizes: list[SizeRun] = field(default_factory=list)
    machine: dict[str, object] = field(default_factory=dict)
    before: dict[str, dict[str, float]] = field(default_factory=dict)  # size -> case key -> median ms


_SERVER_ERROR = re.compile(r"Virtuoso \d+ Error [^\\']*")


def _ms(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def _seconds(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def timing_json(t: Timing, before: float | None) -> dict[str, object]:
    c = t.case
    return {"key": c.key, "kind": c.kind, "name": c.name, "values": c.values, "params": c.params,
            "median_ms": _ms(t.median_ms), "min_ms": _ms(1000 * min(t.seconds)) if t.seconds else None,
            "max_ms": _ms(1000 * max(t.seconds)) if t.seconds else None, "warmups": t.warmups,
            "repeats": len(t.seconds), "size": t.size, "error": t.error, "target_ms": c.target_ms,
            "before_ms": before, "peak_rss_mib": round(t.peak_rss_mib, 1)}


def load_json(run: SizeRun, results: QueryResults) -> dict[str, Any] | None:
    if run.load is None:
        return None
    f = run.load
    both = f.load_seconds + f.optimize_seconds + f.derive_seconds
    return {**asdict(f),
            "triples_per_second_load": round(f.quads / f.load_seconds) if f.load_seconds else None,
            "triples_per_second_load_optimize_derive": round(f.quads / both) if both else None,
            "initial_load_seconds": round(results.catalogue_seconds + both, 2),
            "initial_load_triples_per_second": round(
                (f.quads + results.catalogue_quads) / (results.catalogue_seconds + both)) if both else None}


def to_json(results: QueryResults) -> dict[str, object]:
    return {"benchmark": "queries", "backend": results.backend, "machine": results.machine,
            "options": results.options,
            "catalogue": {"seconds": round(results.catalogue_seconds, 2), "quads": results.catalogue_quads},
            "sizes": [{"measurements": r.measurements, "quads": r.quads, "load": load_json(r, results),
                       "peak_rss_mib": round(r.peak_rss_mib, 1),
                       "backend_load_seconds": _seconds(r.backend_load_seconds),
                       "cases": [timing_json(t, results.before.get(str(r.measurements), {}).get(t.case.key))
                                 for t in r.timings]} for r in results.sizes]}


def read_before(path: Path) -> dict[str, dict[str, float]]:
    """Median ms per size and case key from an earlier ``queries.json`` (the ``before`` column)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return {str(s["measurements"]): {c["key"]: c["median_ms"] for c in s["cases"]
                                     if c["median_ms"] is not None} for s in data["sizes"]}


# -- Markdown -------------------------------------------------------------------------------------
def _n(value: float, digits: int = 0) -> str:
    return f"{value:,.{digits}f}".replace(",", " ")


def short_error(error: str | None) -> str:
    """An error on one table line: a server's own message where it gave one (Virtuoso's is
    inside the HTTP answer), else the start of ours; the whole of it is in the JSON."""
    if error is None:
        return "no run"
    server = _SERVER_ERROR.search(error)
    text = server.group(0) if server else error
    text = " ".join(text.split()).replace("|", "\\|")
    return text if len(text) <= 160 else text[:159] + "…"


def _cell(t: Timing | None) -> str:
    if t is None:
        return ""
    if t.median_ms is None:
        return f"**{short_error(t.error)}**"
    size = "" if t.size is None else f" ({_n(t.size)})"
    return f"{_n(t.median_ms, 1)}{size}"


def _case_table(results: QueryResults) -> list[str]:
    sizes = results.sizes
    largest = sizes[-1] if sizes else None
    before = results.before.get(str(largest.measurements), {}) if largest else {}
    head = " | ".join(f"{_n(r.measurements)}" for r in sizes)
    last = " | before, largest (ms) |" if before else " |"
    lines = ["| case | parameters | target (ms) | " + head + last,
             "|---|---|---:|" + "---:|" * len(sizes) + ("---:|" if before else "")]
    keys = list(dict.fromkeys(t.case.key for r in sizes for t in r.timings))
    cases = {t.case.key: t.case for r in sizes for t in r.timings}
    for key in keys:
        c = cases[key]
        params = ", ".join(f"{k}={v}" for k, v in c.params.items()) or "—"
        cells = " | ".join(_cell(next((t for t in r.timings if t.case.key == key), None)) for r in sizes)
        target = "" if c.target_ms is None else _n(c.target_ms)
        line = f"| {c.kind} `{c.name}` | {params} | {target} | {cells} |"
        if before:
            line += f" {_n(before[key], 1) if key in before else ''} |"
        lines.append(line)
    return lines


def _spread_table(run: SizeRun) -> list[str]:
    lines = [f"### {_n(run.measurements)} measurements: spread and runs", "",
             "| case | median | min | max | warm-ups | timed runs | answer size | peak RSS (MiB) |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for t in run.timings:
        if not t.seconds:
            lines.append(f"| {t.case.key} | {short_error(t.error)} | | | {t.warmups} | 0 | | |")
            continue
        lines.append(f"| {t.case.key} | {_n(t.median_ms or 0, 1)} | {_n(1000 * min(t.seconds), 1)} | "
                     f"{_n(1000 * max(t.seconds), 1)} | {t.warmups} | {len(t.seconds)} | "
                     f"{'' if t.size is None else _n(t.size)} | {_n(t.peak_rss_mib)} |")
    return lines


def _load_table(results: QueryResults) -> list[str]:
    lines = ["| measurements | store quads | synthetic quads | bulk load (s) | optimize (s) | "
             "derive (s) | load + optimize + derive (s) | triples/s (load) | "
             "triples/s (load + optimize + derive) | initial load with catalogue (s) | "
             "triples/s (initial load) | peak RSS of the load (MiB) |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in results.sizes:
        data = load_json(r, results)
        if data is None or r.load is None:
            continue
        kept = " (kept store: figures of the run that made it)" if r.load.reused else ""
        f = r.load
        whole = f.load_seconds + f.optimize_seconds + f.derive_seconds
        lines.append(f"| {_n(r.measurements)}{kept} | {_n(r.quads)} | {_n(f.quads)} | {f.load_seconds:.1f} | "
                     f"{f.optimize_seconds:.1f} | {f.derive_seconds:.1f} | {whole:.1f} | "
                     f"{_n(float(data['triples_per_second_load'] or 0))} | "
                     f"{_n(float(data['triples_per_second_load_optimize_derive'] or 0))} | "
                     f"{data['initial_load_seconds']} | "
                     f"{_n(float(data['initial_load_triples_per_second'] or 0))} | "
                     f"{_n(f.peak_rss_mib)} |")
    return lines


def _backend_load_lines(results: QueryResults) -> list[str]:
    """The server's own load of each store (dump and bulk load), where the backend has one."""
    loaded = [r for r in results.sizes if r.backend_load_seconds is not None]
    if not loaded:
        return []
    lines = [f"Then loaded into the **{results.backend}** backend (the store dumped as N-Quads and "
             "bulk-loaded by the server, `benchmarks/backends.py`):", "",
             "| measurements | store quads | dump and load (s) | quads/s |", "|---:|---:|---:|---:|"]
    for r in loaded:
        seconds = r.backend_load_seconds or 0.0
        lines.append(f"| {_n(r.measurements)} | {_n(r.quads)} | {seconds:.1f} | "
                     f"{_n(r.quads / seconds) if seconds else ''} |")
    return [*lines, ""]


def to_markdown(results: QueryResults) -> str:
    o = results.options
    lines = ["# Query, plan and report benchmark", "",
             f"{machine_line(results.machine)}. Backend: **{results.backend}**"
             + (f" (graph list kept for {o['graph_list_seconds']} s)" if o.get("graph_list_seconds") else "")
             + ".", "",
             f"`python -m benchmarks.queries_bench --sizes {o['sizes']}`: median of {o['repeats']} "
             "timed runs "
             f"after {o['warmups']} warm-ups (fewer when one run takes more than {o['budget']} s / runs; "
             f"a run longer than {o['timeout']} s is stopped). Milliseconds, the answer size in brackets "
             "(rows of a query, plans of a plan, lines of a report).", "",
             "## Median (ms) per store size (synthetic measurements)", "", *_case_table(results), "",
             "## Initial load", "",
             f"Catalogue (ontology, shapes, catalogue: {_n(results.catalogue_quads)} quads) loaded by "
             f"`init_store` in {results.catalogue_seconds:.1f} s; the synthetic logbook as N-Quads with "
             "`Store.bulk_load`, then `Store.optimize`, then the summary and names graphs derived "
             "(`ensure_summary`; for a kept store made before them, when it was first reused).", "",
             *_load_table(results), "", *_backend_load_lines(results),
             "## Peak memory", "", "| measurements | peak RSS of the query process (MiB) |", "|---:|---:|"]
    lines += [f"| {_n(r.measurements)} | {_n(r.peak_rss_mib)} |" for r in results.sizes]
    lines += ["", "## Details", ""]
    for r in results.sizes:
        lines += [*_spread_table(r), ""]
    return "\n".join(lines)


def write_results(results: QueryResults, folder: Path) -> tuple[Path, Path]:
    """``queries.md`` and ``queries.json`` in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    md, js = folder / "queries.md", folder / "queries.json"
    md.write_text(to_markdown(results), encoding="utf-8")
    js.write_text(json.dumps(to_json(results), indent=2) + "\n", encoding="utf-8")
    return md, js
