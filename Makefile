# Tocsin: `make run` starts the whole stack with a demo town; `make test` runs the whole suite.
.PHONY: run test setup bench lint

run:
	@bash scripts/run.sh

test:
	@TOCSIN_SETUP_BROWSER=1 bash scripts/setup.sh
	.venv/bin/pytest -q

setup:
	@bash scripts/setup.sh

bench:
	@bash scripts/setup.sh
	.venv/bin/python bench/fanout.py

lint:
	.venv/bin/ruff check .
	.venv/bin/mypy --strict app workers geo
