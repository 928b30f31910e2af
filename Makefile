# Set-up and everyday commands. Everything the project needs is installed from here.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
BIN    := $(VENV)/bin

.PHONY: setup demo serve test lint bench bench-queries wheel-check clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	@command -v java >/dev/null || { echo "installing a headless JRE for the HermiT reasoner"; \
	  (apt-get update -qq && apt-get install -y -qq default-jre-headless) >/dev/null || \
	  echo "warning: no Java; 'bigmap-kg ontology check' will not run"; }
	@command -v chromium >/dev/null || { echo "installing Debian's Chromium for the browser tests"; \
	  (apt-get update -qq && apt-get install -y -qq chromium chromium-driver) >/dev/null || \
	  echo "warning: no Chromium; the browser tests will fail"; }
	@command -v virtuoso-t >/dev/null || { echo "installing Debian's Virtuoso Open Source for the remote-backend tests"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq virtuoso-opensource-7-bin) >/dev/null || \
	  echo "warning: no Virtuoso; the Virtuoso backend tests will fail"; }
	touch $@

setup: $(VENV)/.installed

# The main job on the embedded default store: load the catalogue, answer logbook questions,
# filter instruments and plan measurements for D5.5's example requests.
demo: setup
	$(BIN)/bigmap-kg init
	$(BIN)/bigmap-kg query who-measured-material --param material=LNO
	$(BIN)/bigmap-kg query who-used-technique --param technique=XRD
	$(BIN)/bigmap-kg query instruments-for-technique --param technique=nano-tomography
	$(BIN)/bigmap-kg query catalogue-counts
	$(BIN)/bigmap-kg plan examples/requests/d55-operando-cracking.yaml
	$(BIN)/bigmap-kg plan examples/requests/d55-sei-and-graphite-ex-situ.json --limit 2
	$(BIN)/bigmap-kg ontology check

# The HTTP service on the embedded store: http://127.0.0.1:8000/ (docs/service.md).
serve: setup
	$(BIN)/bigmap-kg init
	$(BIN)/bigmap-kg serve

lint: setup
	$(BIN)/ruff check bigmap_kg api tests examples benchmarks .ci
	$(BIN)/mypy

test: lint
	$(BIN)/pytest -q -p no:cacheprovider

# Speed and memory (benchmarks/README.md). The import benchmark: 10 000 measurement rows imported
# with validation into a catalogue-only store and into one holding 1 000 000 synthetic
# measurements (about 10 minutes on 2 cores; benchmarks/results/import.md and import.json), then
# the same into an Oxigraph server and into Virtuoso (benchmarks/results/<backend>/import.md). The
# query benchmark: load time, every named query, plans and reports on stores of 10 000, 100 000
# and 1 000 000 synthetic measurements (benchmarks/results/queries.md and queries.json), on the
# embedded store, on an Oxigraph server (benchmarks/results/oxigraph-server/) and on Virtuoso
# (benchmarks/results/virtuoso/: each store dumped and bulk-loaded into a new Virtuoso database).
# The endpoint benchmark: /sparql through the service against an Oxigraph server on the same
# 1 000 000-measurement store (benchmarks/results/endpoint.md and endpoint.json).
# Options go in BENCH_ARGS (import), QUERY_BENCH_ARGS (queries) and ENDPOINT_BENCH_ARGS, e.g.
# make bench BENCH_ARGS="--keep-store /var/tmp/bigmap-kg-bench" QUERY_BENCH_ARGS="--keep-store /var/tmp/bigmap-kg-bench" \
#   ENDPOINT_BENCH_ARGS="--keep-store /var/tmp/bigmap-kg-bench"
# to make the large stores once and reuse them (the benchmarks share the kept stores).
BENCH_ARGS ?=
QUERY_BENCH_ARGS ?=
ENDPOINT_BENCH_ARGS ?=
bench: setup
	$(PY) -m benchmarks.import_rows $(BENCH_ARGS)
	$(PY) -m benchmarks.import_rows --backend oxigraph-server --output-dir benchmarks/results/oxigraph-server $(BENCH_ARGS)
	$(PY) -m benchmarks.import_rows --backend virtuoso --output-dir benchmarks/results/virtuoso $(BENCH_ARGS)
	$(PY) -m benchmarks.queries_bench $(QUERY_BENCH_ARGS)
	$(PY) -m benchmarks.queries_bench --backend oxigraph-server --output-dir benchmarks/results/oxigraph-server $(QUERY_BENCH_ARGS)
	$(PY) -m benchmarks.queries_bench --backend virtuoso --output-dir benchmarks/results/virtuoso $(QUERY_BENCH_ARGS)
	$(PY) -m benchmarks.endpoint_latency $(ENDPOINT_BENCH_ARGS)

bench-queries: setup
	$(PY) -m benchmarks.queries_bench $(QUERY_BENCH_ARGS)
	$(PY) -m benchmarks.queries_bench --backend oxigraph-server --output-dir benchmarks/results/oxigraph-server $(QUERY_BENCH_ARGS)
	$(PY) -m benchmarks.queries_bench --backend virtuoso --output-dir benchmarks/results/virtuoso $(QUERY_BENCH_ARGS)

# Build the wheel, install it in a clean venv, run it from there (no source checkout on the path).
wheel-check: setup
	rm -rf dist /tmp/bigmap-kg-wheel-venv
	$(PY) -m pip wheel --quiet --no-deps --no-build-isolation . -w dist
	$(PYTHON) -m venv /tmp/bigmap-kg-wheel-venv
	/tmp/bigmap-kg-wheel-venv/bin/pip install --quiet dist/*.whl
	cd /tmp && /tmp/bigmap-kg-wheel-venv/bin/bigmap-kg --version
	cd /tmp && BIGMAP_KG_STORE=/tmp/bigmap-kg-wheel-store /tmp/bigmap-kg-wheel-venv/bin/bigmap-kg init
	cd /tmp && BIGMAP_KG_STORE=/tmp/bigmap-kg-wheel-store /tmp/bigmap-kg-wheel-venv/bin/bigmap-kg query instruments-for-technique --param technique=XRD
	BIGMAP_KG_STORE=/tmp/bigmap-kg-wheel-store /tmp/bigmap-kg-wheel-venv/bin/python .ci/serve_smoke.py \
	  /tmp/bigmap-kg-wheel-venv/bin/bigmap-kg
	rm -rf /tmp/bigmap-kg-wheel-store

clean:
	rm -rf $(VENV) dist build *.egg-info
