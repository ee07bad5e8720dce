# Two commands do all the set-up on a fresh machine: `make report` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
EXAMPLE := examples/dong-thap-2022.xlsx

.PHONY: report test lint bench template example serve clean screenshots

# The project itself is installed editable (the `thidua` command, package metadata); every version comes
# from the lock files, so each machine gets the same libraries.
$(BIN)/.runtime: requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check -c requirements.txt -r requirements.txt -e .
	touch $@

$(BIN)/.test: requirements-test.txt $(BIN)/.runtime
	$(BIN)/python -m pip install -q --disable-pip-version-check -r requirements-test.txt
	touch $@

## report: build the PDF briefing of the bundled example into output/
report: $(BIN)/.runtime
	$(BIN)/python generate_report.py run $(EXAMPLE)

## test: lint, types, the layering contract, then the whole test suite
test: $(BIN)/.test
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache
	$(BIN)/python -m pytest -q

lint: $(BIN)/.test
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache

## bench: every benchmark in benches/, one table of medians
bench: $(BIN)/.test
	$(BIN)/python benches/run.py

## serve: the web pages on http://127.0.0.1:8080/ (the browser tests need Debian's chromium and chromium-driver)
serve: $(BIN)/.runtime
	$(BIN)/python generate_report.py serve

## screenshots: retake the README's screenshots of the web pages (docs/web-*.png) with the browser test
screenshots: $(BIN)/.test
	THIDUA_UPDATE_DOCS=1 $(BIN)/python -m pytest -q tests/test_web_browser.py -k bad_workbook

## template: write the blank standard template to output/
template: $(BIN)/.runtime
	$(BIN)/python generate_report.py template -o output/mau-tieu-chi-thi-dua.xlsx

## example: rebuild the bundled example workbook from examples/data (a copy of ../shared/data)
example: $(BIN)/.runtime
	$(BIN)/python examples/build_example.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache build *.egg-info
