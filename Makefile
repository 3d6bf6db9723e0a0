# Two commands do all the set-up: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test test-fast bench bench-data soak backup restore demo-data clean

$(STAMP): requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

run: $(STAMP)
	$(PY) -m sample_data.load --if-empty
	$(PY) -m streamlit run app.py --server.headless=true --browser.gatherUsageStats=false

test: $(STAMP)
	$(PY) -m pytest -q -n 2

backup: $(STAMP)
	$(PY) -m db.backup create

restore: $(STAMP)
	@test -n "$(FILE)" || (echo "usage: make restore FILE=backups/warehouse-....db" && exit 2)
	$(PY) -m db.backup restore "$(FILE)"

demo-data: $(STAMP)
	$(PY) -m sample_data.load --if-empty

clean:
	rm -rf $(VENV) data .pytest_cache .hypothesis
