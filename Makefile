# Two commands set everything up: `make run` and `make test`.
# Stamps in .venv make repeated runs fast; they are redone when a requirements file changes.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8501
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run serve test test-fast test-browser lint bench bench-all system-deps template clean

# uvicorn believes X-Forwarded-For from 127.0.0.1 unless this is empty; mayen_dash/clients.py decides instead
# (MAYEN_TRUSTED_PROXIES names the reverse proxies whose X-Forwarded-For counts).
UVICORN_ENV := FORWARDED_ALLOW_IPS=

# On one's own machine: everyone at this keyboard may edit.
run: $(VENV)/.runtime $(VENV)/.static
	$(UVICORN_ENV) $(VENV)/bin/streamlit run server.py --server.port $(PORT) --server.address localhost

# For colleagues on the network: reading is public, changing data needs a signed-in editor.
serve: $(VENV)/.runtime $(VENV)/.static
	$(UVICORN_ENV) MAYEN_SHARED=1 $(VENV)/bin/streamlit run server.py --server.port $(PORT) --server.address 0.0.0.0

test: $(VENV)/.dev system-deps
	$(PY) -m ruff check .
	MAYEN_REQUIRE_POSTGRES=1 MAYEN_REQUIRE_BROWSER=1 $(PY) -m pytest -m "not browser"
	$(PY) -m pytest -m browser

test-fast: $(VENV)/.dev
	$(PY) -m pytest -m "not browser"

test-browser: $(VENV)/.dev system-deps
	$(PY) -m pytest -m browser

lint: $(VENV)/.dev
	$(PY) -m ruff check .

# Speed and memory: the loader (quick); the others start servers and browsers and take minutes.
bench: $(VENV)/.dev
	$(PY) bench/bench_load.py

bench-all: $(VENV)/.dev system-deps
	$(PY) bench/bench_load.py
	$(PY) bench/bench_hostile.py
	$(PY) bench/bench_dashboard.py
	$(PY) bench/bench_sessions.py --sessions 50
	$(PY) bench/bench_restart.py
	$(PY) bench/bench_frontend.py
	$(PY) bench/bench_api.py
	$(PY) bench/bench_documents.py

template: $(VENV)/.runtime
	$(PY) -m mayen_dash template -o data/vorlage.xlsx

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

# Streamlit's front-end bundles compressed once (brotli, gzip) for the server to send (web/compression.py).
$(VENV)/.static: $(VENV)/.runtime web/compression.py
	$(PY) -m web.compression
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt $(VENV)/.runtime
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

# Debian's Chromium drives the browser tests and prints the PDF report (Playwright cannot download a
# browser here); poppler-utils turns PDF pages into images for the tests; Debian's PostgreSQL runs the
# store's tests a second time, on a throwaway server; LibreOffice (headless) writes the .ods, .xls and the printed
# PDF report that the readers' tests read.
system-deps:
	@command -v chromium >/dev/null 2>&1 && command -v pdftoppm >/dev/null 2>&1 \
		&& command -v soffice >/dev/null 2>&1 \
		&& ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { \
		$(SUDO) apt-get update -qq && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			chromium fonts-dejavu-core poppler-utils postgresql libreoffice-calc-nogui libreoffice-writer-nogui; }

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache test-artifacts
