# Every target bootstraps its own virtualenv in .venv and reuses it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
OP_DIR := tests/e2e/third_party_op
OP_STAMP := $(OP_DIR)/node_modules/.installed

.PHONY: up test pytest lint bench screenshots clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

# The third-party OpenID Provider of the interop tests, exact versions from its lockfile.
# Without npm the interop tests skip loudly (and fail when CI=true).
$(OP_STAMP): $(OP_DIR)/package-lock.json
	if command -v npm >/dev/null; then \
	  npm ci --prefix $(OP_DIR) --no-audit --no-fund --loglevel=error && touch $(OP_STAMP); \
	else echo "npm not found: the third-party OP interop tests will be skipped"; fi

up: $(STAMP)
	$(BIN)/authgate up

test: lint pytest

pytest: $(STAMP) $(OP_STAMP)
	$(BIN)/pytest -q

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy

# Rewrites docs/img/*.png from the browser tests (a plain test run keeps them in a temp dir).
screenshots: $(STAMP)
	AUTHGATE_WRITE_SCREENSHOTS=1 $(BIN)/pytest -q tests/e2e/test_up_browser.py tests/e2e/test_workshop_browser.py tests/idp/test_login_browser.py

bench: $(STAMP)
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) .authgate .pytest_cache .mypy_cache .ruff_cache
