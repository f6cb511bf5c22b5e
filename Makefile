# Everyday commands; see README.md.
VENV ?= .venv

.PHONY: run test lint bench

run:  ## start OpsDesk with the demo organisation on http://127.0.0.1:8000
	bash scripts/run

test:  ## ruff, then the whole suite on SQLite and on PostgreSQL
	bash scripts/test

lint:
	$(VENV)/bin/ruff check src tests bench

bench:  ## API intake and queue-page benchmarks (PostgreSQL and SQLite)
	$(VENV)/bin/python -m bench.intake && $(VENV)/bin/python -m bench.queue
