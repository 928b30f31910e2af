"""An import killed (SIGKILL) while it runs leaves the store as it was, or holds the whole batch:
never a part of it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bigmap_kg.loader import init_store
from bigmap_kg.queries import get_query
from bigmap_kg.store import EmbeddedStore

ROWS = 2500
COUNT = ("SELECT (COUNT(DISTINCT ?m) AS ?n) WHERE { ?m <https://w3id.org/bigmap-kg/ontology#identifier> ?id "
         "FILTER(STRSTARTS(?id, \"KILL-\")) }")


def _files(folder: Path) -> list[str]:
    samples = folder / "samples.csv"
    samples.write_text("sample_id,sample_shape,materials,prepared_by\nKILL-S,Electrode,LNO,CTH\n")
    rows = [f"KILL-{i:05d},KILL-S,Raman,Chalmers,post mortem,2023-01-{1 + i % 28:02d}" for i in range(ROWS)]
    measurements = folder / "measurements.csv"
    measurements.write_text("measurement_id,samples,technique,partner,mode,start_date\n" + "\n".join(rows))
    return [str(samples), str(measurements)]


def _kill_at(store_dir: Path, files: list[str], phase: str | None, delay: float) -> None:
    env = {**os.environ, "BIGMAP_KG_STORE": str(store_dir)}
    proc = subprocess.Popen([sys.executable, "-m", "bigmap_kg", "import", "--no-progress", *files],
                            env=env, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    assert proc.stderr is not None
    if phase is not None:
        for line in proc.stderr:
            if line.startswith(f"import: {phase}"):
                break
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=60)


@pytest.mark.slow
@pytest.mark.parametrize(("phase", "delay"), [("validating", 0.5), ("writing", 0.0)])
def test_an_import_killed_halfway_leaves_the_batch_whole_or_absent(tmp_path: Path, phase: str, delay: float) -> None:
    store_dir = tmp_path / "store"
    with EmbeddedStore(store_dir) as store:
        init_store(store)
        before = store.triple_count()
    _kill_at(store_dir, _files(tmp_path), phase, delay)
    with EmbeddedStore(store_dir) as store:  # reopens after the crash
        stored = int(store.select(COUNT).rows[0]["n"])  # type: ignore[arg-type]
        assert stored in (0, ROWS + 1)
        if stored == 0:
            assert store.triple_count() == before
        assert get_query("who-used-technique").run(store, {"technique": "Raman"}).rows is not None
