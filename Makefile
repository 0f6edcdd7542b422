# grove-mcp — the only entry points. `.ci/run` calls `make test` (the README's test command).
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip --disable-pip-version-check -q
DEMO   := my-inference

.PHONY: demo test test-unit lint bench bench-metrics bench-slack bench-mcp-load bench-startup demo-bundle envtest clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -e '.[tui]'
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed pyproject.toml
	$(PIP) install -e '.[dev,slack,tui]'
	touch $@

# AIConfigurator (the [generate] extra, ~850 MB, ~35 s once) for the real-AIConfigurator tier.
$(VENV)/.installed-generate: $(VENV)/.installed-dev pyproject.toml
	$(PIP) install -e '.[dev,slack,tui,generate]'
	touch $@

## demo: install into .venv (the TUI too: .venv/bin/kubectl-grove tui --demo) and print status, topology, health, metrics, compare and diagnose of the embedded demo
demo: $(VENV)/.installed
	@for report in status topology health metrics compare diagnose "replan --force"; do \
	  $(VENV)/bin/kubectl-grove $$report $(DEMO) --demo; rc=$$?; \
	  if [ $$rc -gt 1 ]; then exit $$rc; fi; echo; \
	done

## test: install test dependencies (AIConfigurator too), build the test API server (when Go exists), run every test
test: $(VENV)/.installed-generate
	@assets=$$(tools/envtest/build.sh) || { [ "$$GROVE_REQUIRE_E2E" != 1 ] || exit 1; }; \
	  KUBEBUILDER_ASSETS=$${assets:-$$KUBEBUILDER_ASSETS} $(PY) -m pytest $(PYTEST_ARGS)

## test-unit: everything but the real API server tier
test-unit: $(VENV)/.installed-dev
	$(PY) -m pytest -m "not e2e" $(PYTEST_ARGS)

lint: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports --no-cache

bench: $(VENV)/.installed-dev
	@assets=$$(tools/envtest/build.sh) && KUBEBUILDER_ASSETS=$$assets $(PY) -m tools.bench

## bench-metrics: live scrapes of fake vLLM pods, direct and through the pod proxy (root: netns)
bench-metrics: $(VENV)/.installed-dev
	@assets=$$(tools/envtest/build.sh) && KUBEBUILDER_ASSETS=$$assets $(PY) -m tools.bench_metrics

## bench-slack: grove-slack's acknowledgement and answer times on seeded clusters, next to core.run
bench-slack: $(VENV)/.installed-dev
	@assets=$$(tools/envtest/build.sh) && KUBEBUILDER_ASSETS=$$assets $(PY) -m tools.bench_slack --nodes 96,960

## bench-mcp-load: 50 MCP clients × 200 tool calls × 3 rounds on grove-mcp --http (seeded cluster): errors, p50/p99, calls/s, server RSS
bench-mcp-load: $(VENV)/.installed-dev
	@assets=$$(tools/envtest/build.sh) && KUBEBUILDER_ASSETS=$$assets $(PY) -m tools.bench_mcp_load

## bench-startup: wall time of kubectl grove version, status --demo, --help and grove-mcp --help, medians next to python -c pass
bench-startup: $(VENV)/.installed-dev
	$(PY) -m tools.bench_startup

demo-bundle: $(VENV)/.installed
	$(PY) tools/write_demo_bundle.py

envtest:
	tools/envtest/build.sh

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache build dist

.PHONY: dist krew
## dist: dist/ gets the wheel, the sdist, the krew archive and its manifest grove.yaml with the archive's sha256 (wheels from PyPI)
dist:
	$(PYTHON) -m tools.dist

## krew: build krew (for tests/dist) from the Go module proxy into ~/.cache/grove-mcp/krew, once
krew:
	@$(PYTHON) -m tools.dist.krew
