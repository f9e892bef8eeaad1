# Deux commandes suffisent : `make run` et `make test` (voir README).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck hadolint pytest fuzz bench clean lock simulateur-reset rapport-modele

# The exact versions of requirements.lock (the Dockerfile installs the same ones).
$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --constraint requirements.lock -e '.[dev]'
	touch $(STAMP)

# Refresh requirements.lock after a change of pyproject.toml (every platform: markers kept).
lock: $(STAMP)
	$(BIN)/uv pip compile pyproject.toml --extra dev --universal --python-version 3.11 \
	  --custom-compile-command 'make lock' --quiet -o requirements.lock

# The real bot when TELEGRAM_BOT_TOKEN is set, otherwise the terminal simulator.
run: $(STAMP)
	$(BIN)/python bot.py

test: lint typecheck hadolint pytest

lint: $(STAMP)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .

typecheck: $(STAMP)
	$(BIN)/mypy

hadolint: $(STAMP)
	$(BIN)/hadolint Dockerfile

# One worker per core (at most 4); each worker starts its own throwaway PostgreSQL.
pytest: $(STAMP)
	$(BIN)/pytest -n auto --maxprocesses 4

# 10,000 random sequences of updates (make test runs a few hundred); new ones on every run.
fuzz: $(STAMP)
	PES21_FUZZ_EXAMPLES=10000 $(BIN)/pytest tests/fuzz -x

bench: $(STAMP)
	$(BIN)/python -m bench.intake
	$(BIN)/python -m bench.reminders
	$(BIN)/python -m bench.stats
	$(BIN)/python -m bench.isolation
	$(BIN)/python -m bench.import
	$(BIN)/python -m bench.report_document
	$(BIN)/python -m bench.flood
	$(BIN)/python -m bench.faults

# The Word activity report's default layout (contenus/rapport_activite.docx), written anew.
rapport-modele: $(STAMP)
	$(BIN)/python scripts/make_report_template.py

# The simulator's own database and folder (never the real ones): start again from an empty bot.
simulateur-reset:
	rm -f data/simulateur.db data/simulateur.db-wal data/simulateur.db-shm
	rm -rf data/simulateur

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
