# Two commands on a fresh machine with Python 3.11: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
DB ?= data/portal.duckdb
SITE ?= site_build
WORKBENCH_PORT ?= 8501
PORTAL_PORT ?= 8000
LAB_PORT ?= 8888
SNAPSHOT ?= data/snapshot.duckdb

.PHONY: run test venv deps dev-deps init site site-quick lint clean-data system-packages-run system-packages-test lab

$(VENV)/bin/activate:
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.deps: requirements.txt $(VENV)/bin/activate
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev-deps: requirements-dev.txt requirements.txt $(VENV)/bin/activate
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

# Debian packages (apt-get, with sudo when not root; nothing happens when all are present):
# scripts/system-packages.sh says what each command needs and why
system-packages-run:
	@bash scripts/system-packages.sh run

system-packages-test:
	@bash scripts/system-packages.sh test

# npm: the rich-text editor of 我的稿件 (TipTap, bundled below) and axe-core for the accessibility test
node_modules/.package-lock.json: package.json package-lock.json | system-packages-run
	npm install --no-audit --no-fund
	touch $@

# the editor's one-file bundle, served by the component (built here, never committed)
EDITOR_SRC := $(wildcard pages/_richtext_frontend/src/*.js)
pages/_richtext_frontend/build/editor.js: node_modules/.package-lock.json $(EDITOR_SRC) scripts/build_editor.sh
	sh scripts/build_editor.sh

# JupyterLab for the analysts' notebooks, its interface in Chinese (a default for this .venv only)
$(VENV)/.lab-deps: requirements-lab.txt requirements.txt scripts/jupyterlab-overrides.json $(VENV)/bin/activate
	$(PY) -m pip install --quiet -r requirements-lab.txt
	mkdir -p $(VENV)/share/jupyter/lab/settings
	cp scripts/jupyterlab-overrides.json $(VENV)/share/jupyter/lab/settings/overrides.json
	touch $@

deps: $(VENV)/.deps pages/_richtext_frontend/build/editor.js
dev-deps: $(VENV)/.dev-deps deps

init: deps
	$(PY) -m core init --db $(DB) --demo

site: init
	$(PY) -m core build-site --db $(DB) --out $(SITE) --full

# `make run` does not wait for the search index: it is built in the background (the search page says so)
site-quick: init
	$(PY) -m core build-site --db $(DB) --out $(SITE) --full --search-in-background

# a database to analyse on a machine that has none yet (the demo content, as `make run` makes it)
$(DB): | $(VENV)/.deps
	$(PY) -m core init --db $(DB) --demo

# The portal on :8000 (static files) and the workbench on :8501 (make run PORTAL_PORT=… WORKBENCH_PORT=…).
# Ctrl-C stops both: the workbench first, then the portal, each waited for; when the workbench ends by itself, the
# portal is stopped too (tests/test_make_run.py). Both run in the background so that a signal's trap runs at once,
# interrupting `wait` (a foreground command would hold it back until it ended).
# (The recipe used to `trap 'kill 0' INT TERM EXIT`: on exit the shell sent SIGTERM to its own process group,
# itself included, whose TERM trap sent it again, recursively, until the shell overflowed its stack: make said
# 「Segmentation fault」 after the workbench's 「Stopping...」, and was itself killed by the same signal.)
run: system-packages-run site-quick
	@echo "门户网站: http://localhost:$(PORTAL_PORT)/   工作台: http://localhost:$(WORKBENCH_PORT)/"
	@portal=; workbench=; \
	stop() { trap - INT TERM EXIT; \
		for pid in $$workbench $$portal; do kill $$pid 2>/dev/null; wait $$pid 2>/dev/null; done; }; \
	trap 'stop; exit 0' INT TERM; trap stop EXIT; \
	$(PY) scripts/serve_portal.py $(PORTAL_PORT) --bind 127.0.0.1 --directory $(SITE) & portal=$$!; \
	PORTAL_DB=$(DB) PORTAL_SITE=$(SITE) $(PY) -m streamlit run app.py --server.headless true \
		--server.port $(WORKBENCH_PORT) --browser.gatherUsageStats false & workbench=$$!; \
	wait $$workbench

# The notebooks in JupyterLab on a fresh read-only snapshot of the database (taken also while the workbench
# runs; the notebooks read PORTAL_DB). Open the address with its token that Jupyter prints; Ctrl-C stops it.
lab: $(VENV)/.lab-deps | $(DB)
	rm -f $(SNAPSHOT) $(SNAPSHOT).wal
	$(PY) -m core snapshot --db $(DB) --out $(SNAPSHOT)
	@echo "分析笔记本: http://127.0.0.1:$(LAB_PORT)/lab (数据截至此刻的快照 $(SNAPSHOT);取新数据请重新运行 make lab)"
	PORTAL_DB=$(abspath $(SNAPSHOT)) $(VENV)/bin/jupyter lab --no-browser --ip 127.0.0.1 --port $(LAB_PORT) \
		--ServerApp.root_dir=notebooks $(if $(filter 0,$(shell id -u)),--allow-root)

# One pass on TEST_WORKERS processes (pytest-xdist, a test file per process at a time: module fixtures are built
# once): the browser stories (marker `browser`: a Streamlit server and Chromium each, waiting on the page most of
# the time) share the processes with the tests that keep the CPU busy. `make test TEST_WORKERS=0` runs in one
# process. pytest's exit code 5 means no test ran: a failure here, never a pass.
TEST_WORKERS ?= 2
test: system-packages-test dev-deps
	@$(PY) -m pytest -n $(TEST_WORKERS) --dist loadfile --durations=15; rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest: no tests were collected"; fi; \
	exit $$rc

lint: dev-deps
	$(VENV)/bin/ruff check .
