# Two commands do all the set-up: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test test-fast bench bench-data soak backup restore demo-data clean

# First run: the packages (about 1 GB installed, OCR and PDF fonts included) take
# one to several minutes depending on the connection; every step says what it does.
$(STAMP): requirements.txt requirements-dev.txt requirements-nodeps.txt
	@echo "==> [1/4] Creating the virtual environment in $(VENV)"
	$(PYTHON) -m venv $(VENV)
	@echo "==> [2/4] Updating pip"
	$(PY) -m pip install --quiet --upgrade pip
	@echo "==> [3/4] Installing the packages (first run only; about 1 GB, one to several minutes)"
	$(PY) -m pip install --progress-bar on -r requirements-dev.txt
	$(PY) -m pip install --quiet --no-deps -r requirements-nodeps.txt
	@echo "==> [4/4] Packages installed"
	touch $(STAMP)

run: $(STAMP)
	@echo "==> Preparing the database (the first time: a demo warehouse, a few seconds)"
	$(PY) -m sample_data.load --if-empty
	@echo "==> Starting the app at http://localhost:8501 (Ctrl+C stops it)"
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
