# Two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
# Debian packages the suite needs; installed with apt-get when missing (the machine is root).
APT_PACKAGES := sqlite3 chromium

.PHONY: demo test bench lint typecheck system-deps clean
.PHONY: console

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python console
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python console
	$(BIN)/pip install -q -e '.[dev]'
	touch $(VENV)/.installed $@

system-deps:
	@missing=""; for p in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

demo: $(VENV)/.installed console
	$(BIN)/deconflict demo

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check src tests bench
	$(BIN)/lint-imports

typecheck: $(VENV)/.installed-dev
	$(BIN)/mypy

test: system-deps console $(VENV)/.installed-dev lint typecheck
	$(BIN)/python -m pytest -n 2 -q

bench: $(VENV)/.installed-dev
	$(BIN)/python -m bench

# The web console's offline assets (Leaflet, milsymbol, a trimmed basemap), from the npm registry
# at the versions package-lock.json pins, copied where the hub serves them. Nothing is committed.
CONSOLE_VENDOR := src/deconflict/console/static/vendor

node_modules/.package-lock.json: package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm is missing: install Node.js and npm"; exit 1; }
	npm ci --ignore-scripts --no-audit --no-fund
	@touch $@

$(CONSOLE_VENDOR)/.installed: node_modules/.package-lock.json tools/console_assets.mjs
	node tools/console_assets.mjs $(CONSOLE_VENDOR)
	@touch $@

console: $(CONSOLE_VENDOR)/.installed

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
