"""What a benchmark run measured, the machine it ran on, and the results files (a Markdown table
for readers, JSON for tools)."""

from __future__ import annotations

import json
import os
import platform
import resource
import subprocess
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

MIB = 1024 * 1024
PACKAGES = ("bigmap-kg", "pyoxigraph", "rdflib", "pyshacl")


@dataclass
class LoadFigures:
    """Making a store that already holds a synthetic logbook (bulk-loaded N-Quads)."""

    measurements: int
    samples: int
    quads: int
    generate_seconds: float
    load_seconds: float
    optimize_seconds: float
    peak_rss_mib: float
    reused: bool = False
    #: deriving the summary and names graphs after the load (``rebuild_summary``)
    derive_seconds: float = 0.0

    @property
    def quads_per_second(self) -> float:
        return self.quads / self.load_seconds if self.load_seconds > 0 else 0.0


@dataclass
class ImportFigures:
    """One timed ``run_import`` of the benchmark's CSV files into a store."""

    store_measurements: int
    rows: int
    measurement_rows: int
    triples: int
    seconds: float
    phases: dict[str, float] = field(default_factory=dict)
    rss_before_mib: float = 0.0
    peak_rss_mib: float = 0.0
    backend: str = "embedded"
    server_peak_rss_mib: float = 0.0  # a server backend's own process (0: embedded)

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds > 0 else 0.0

    @property
    def measurement_rows_per_second(self) -> float:
        return self.measurement_rows / self.seconds if self.seconds > 0 else 0.0


@dataclass
class Results:
    options: dict[str, object]
    loads: list[LoadFigures] = field(default_factory=list)
    imports: list[ImportFigures] = field(default_factory=list)
    machine: dict[str, object] = field(default_factory=dict)

    def slowdowns(self) -> dict[int, float]:
        """Seconds of each import over those of the import into the smallest store."""
        if not self.imports:
            return {}
        base = min(self.imports, key=lambda f: f.store_measurements).seconds
        return {f.store_measurements: f.seconds / base for f in self.imports}


def peak_rss_mib() -> float:
    """This process's peak resident memory (Linux reports KiB, macOS bytes)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / MIB if platform.system() == "Darwin" else peak / 1024


def process_peak_rss_mib(pid: int) -> float:
    """Another process's peak resident memory (Linux's VmHWM; 0 where it cannot be read)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def current_rss_mib() -> float:
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / MIB
    except OSError:
        return 0.0


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _commit() -> str | None:
    try:
        done = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                              check=True, cwd=Path(__file__).parent)
    except (OSError, subprocess.CalledProcessError):
        return None
    return done.stdout.strip() or None


def machine_facts() -> dict[str, object]:
    versions: dict[str, str | None] = {}
    for name in PACKAGES:
        try:
            versions[name] = version(name)
        except PackageNotFoundError:
            versions[name] = None
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return {"date": datetime.now(UTC).isoformat(timespec="seconds"), "cpu_count": os.cpu_count(),
            "cpu": _cpu_model(), "memory_gib": round(memory / 1024**3, 1),
            "platform": platform.platform(), "python": platform.python_version(),
            "packages": versions, "commit": _commit()}


def to_json(results: Results) -> dict[str, object]:
    def with_rates(figures: LoadFigures | ImportFigures) -> dict[str, object]:
        data = asdict(figures)
        for name in ("quads_per_second", "rows_per_second", "measurement_rows_per_second"):
            if hasattr(figures, name):
                data[name] = round(getattr(figures, name), 1)
        return data

    return {"benchmark": "import_rows", "machine": results.machine, "options": results.options,
            "loads": [with_rates(f) for f in results.loads],
            "imports": [with_rates(f) for f in results.imports],
            "slowdown": {str(k): round(v, 3) for k, v in results.slowdowns().items()}}


def _n(value: float, digits: int = 0) -> str:
    return f"{value:,.{digits}f}".replace(",", " ")


def machine_line(m: dict[str, object]) -> str:
    """The machine facts as the first line of a results file (without the final full stop)."""
    versions = m.get("packages")
    packages = ", ".join(f"{k} {v}" for k, v in versions.items()) if isinstance(versions, dict) else ""
    return (f"{m['date']}: {m['cpu_count']} CPUs ({m['cpu']}), {m['memory_gib']} GiB, Python {m['python']}, "
            f"{packages}; commit {m['commit']}")


def to_markdown(results: Results) -> str:
    o = results.options
    backend = str(o.get("backend", "embedded"))
    served = backend != "embedded"
    option = f" --backend {backend}" if served else ""
    where = {"embedded": "each into a copy of the store",
             "oxigraph-server": "each into an Oxigraph server on a copy of the store",
             "virtuoso": "each into a Virtuoso database bulk-loaded from the store"}.get(backend, backend)
    lines = [f"# Import benchmark ({backend})", "", machine_line(results.machine) + ".", "",
             f"`python -m benchmarks.import_rows --rows {o['rows']} --store-measurements "
             f"{o['store_measurements']}{option}`: {o['rows']} measurement rows (+ the sample rows they "
             f"measure) imported with validation by `run_import`, {where}, in a fresh process.", "",
             "## Import", "",
             "| synthetic measurements in the store | rows read | of them measurements | triples | seconds | "
             "rows/s | measurement rows/s | slowdown | peak RSS (MiB) |"
             + (" server's peak RSS (MiB) |" if served else ""),
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|" + ("---:|" if served else "")]
    slow = results.slowdowns()
    for f in results.imports:
        lines.append(f"| {_n(f.store_measurements)} | {_n(f.rows)} | {_n(f.measurement_rows)} | "
                     f"{_n(f.triples)} | {f.seconds:.1f} | {_n(f.rows_per_second)} | "
                     f"{_n(f.measurement_rows_per_second)} | {slow[f.store_measurements]:.2f}× | "
                     f"{_n(f.peak_rss_mib)} |" + (f" {_n(f.server_peak_rss_mib)} |" if served else ""))
    lines += ["", *_phase_table(results), "", *_load_table(results)]
    return "\n".join(lines) + "\n"


def _share(seconds: float, total: float) -> str:
    return f"{seconds:.1f} ({100 * seconds / total:.0f} %)" if total > 0 else f"{seconds:.1f}"


def _phase_table(results: Results) -> list[str]:
    names: list[str] = []
    for f in results.imports:
        names += [n for n in f.phases if n not in names]
    head = " | ".join(f"{_n(f.store_measurements)} stored" for f in results.imports)
    lines = ["## Where the time goes (seconds per phase of `run_import`)", "",
             "Phases as the pipeline reports them to its progress listener: *mapping rows* includes "
             "resolving names and IDs (label and ID look-ups in the store) and naming the batch (a hash "
             "of the sorted N-Triples); *validating* includes loading the shapes and the rdf:type "
             "look-ups of referenced IRIs; *writing* includes the provenance and the one transaction.",
             "", f"| phase | {head} |", "|---|" + "---:|" * len(results.imports)]
    for name in names:
        cells = " | ".join(_share(f.phases.get(name, 0.0), f.seconds) for f in results.imports)
        lines.append(f"| {name} | {cells} |")
    return lines


def _load_table(results: Results) -> list[str]:
    if not results.loads:
        return []
    lines = ["## Making the large store (synthetic N-Quads, `Store.bulk_load`, `Store.optimize`)", "",
             "| measurements | samples | quads | generate (s) | bulk load (s) | quads/s | optimize (s) | "
             "peak RSS (MiB) |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for f in results.loads:
        kept = " (kept store, figures of the run that made it)" if f.reused else ""
        lines.append(f"| {_n(f.measurements)}{kept} | {_n(f.samples)} | {_n(f.quads)} | "
                     f"{f.generate_seconds:.1f} | {f.load_seconds:.1f} | {_n(f.quads_per_second)} | "
                     f"{f.optimize_seconds:.1f} | {_n(f.peak_rss_mib)} |")
    return lines


def write_results(results: Results, folder: Path) -> tuple[Path, Path]:
    """``import.md`` and ``import.json`` in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    md, js = folder / "import.md", folder / "import.json"
    md.write_text(to_markdown(results), encoding="utf-8")
    js.write_text(json.dumps(to_json(results), indent=2) + "\n", encoding="utf-8")
    return md, js
