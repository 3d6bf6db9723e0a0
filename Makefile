# Two commands do all the set-up: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test test-fast bench bench-data soak backup restore demo-data clean

$(STAMP): requirements.txt requirements-dev.txt requirements-nodeps.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	$(PY) -m pip install --quiet --no-deps -r requirements-nodeps.txt
	touch $(STAMP)

run: $(STAMP)
	$(PY) -m sample_data.load --if-empty
	$(PY) -m streamlit run app.py --server.headless=true --browser.gatherUsageStats=false

test: $(STAMP)
	$(PY) -m pytest -q -n 2

BENCH_SCALE ?= large
BENCH_DB ?= sqlite

bench-data: $(STAMP)
	$(PY) -m bench.generate --scale $(BENCH_SCALE)

bench: $(STAMP)
	@test -f bench/data/bench-$(BENCH_SCALE).db || test "$(BENCH_DB)" = postgresql || $(PY) -m bench.generate --scale $(BENCH_SCALE)
	BENCH_SCALE=$(BENCH_SCALE) BENCH_DB=$(BENCH_DB) $(PY) -m bench.harness

# The ledger state machine and the stocktake freeze races with a long budget (CI runs
# them small). Override with
# FUZZ_EXAMPLES=… FUZZ_STEPS=… FREEZE_RACES=…; set TEST_DATABASE_URL to soak PostgreSQL too.
soak: $(STAMP)
	FUZZ_EXAMPLES=$${FUZZ_EXAMPLES:-500} FUZZ_STEPS=$${FUZZ_STEPS:-30} FUZZ_SHRINK=1 \
		$(PY) -m pytest -q -s -p no:cacheprovider tests/services/test_fuzz_ledger.py
	# 50 races of a stocktake opening against each stock writer (PostgreSQL only:
	# set TEST_DATABASE_URL, else they are skipped).
	FREEZE_RACES=$${FREEZE_RACES:-50} \
		$(PY) -m pytest -q -s -p no:cacheprovider tests/services/test_freeze_race.py

backup: $(STAMP)
	$(PY) -m db.backup create

restore: $(STAMP)
	@test -n "$(FILE)" || (echo "usage: make restore FILE=backups/warehouse-....db" && exit 2)
	$(PY) -m db.backup restore "$(FILE)"

demo-data: $(STAMP)
	$(PY) -m sample_data.load --if-empty

clean:
	rm -rf $(VENV) data .pytest_cache .hypothesis
