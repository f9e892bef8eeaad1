# Deux commandes suffisent : `make run` et `make test` (voir README).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck hadolint pytest bench clean simulateur-reset

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# The real bot when TELEGRAM_BOT_TOKEN is set, otherwise the terminal simulator.
run: $(STAMP)
	@if [ -n "$$TELEGRAM_BOT_TOKEN" ]; then $(BIN)/python -m pes21_bot.db.migrate; fi
	$(BIN)/python bot.py

test: lint typecheck hadolint pytest

lint: $(STAMP)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .

typecheck: $(STAMP)
	$(BIN)/mypy

hadolint: $(STAMP)
	$(BIN)/hadolint Dockerfile

pytest: $(STAMP)
	$(BIN)/pytest

bench: $(STAMP)
	$(BIN)/python -m bench.intake
	$(BIN)/python -m bench.reminders
	$(BIN)/python -m bench.stats

# The simulator's own database (never the real one): start again from an empty bot.
simulateur-reset:
	rm -f data/simulateur.db data/simulateur.db-wal data/simulateur.db-shm

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
