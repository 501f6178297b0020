# The two commands a newcomer needs: `make run` and `make test`. Each builds .venv itself.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
ARGS ?=
# `make package RELEASE=1`: a release build, refused while skill.json has the placeholder endpoint.
RELEASE ?=

.PHONY: run serve test lint validate-template fuzz bench node-deps package check-manifest first-run-notice

# The first run installs about 380 MB (a minute or two): pip shows each package as it goes,
# so the wait is never silent.
$(INSTALLED): requirements.txt requirements-dev.txt constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "Python 3.11 or newer is needed")'
	@echo "Setting up $(VENV) (about 380 MB, a minute or two, once); pip's progress follows."
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --disable-pip-version-check --progress-bar on \
		-r requirements-dev.txt -c constraints.txt
	touch $@

run: $(INSTALLED)
	@PYTHONPATH=lambda:. $(BIN)/python -m local.console $(ARGS)

# The web service under gunicorn: make serve ARGS="--workers 4 --no-verify"; DynamoDB when
# TABLE_NAME is set, else the embedded store.
serve: $(INSTALLED)
	@PYTHONPATH=lambda:. $(BIN)/python -m local.web_service $(ARGS)

lint: $(INSTALLED)
	$(BIN)/ruff check lambda local scripts tests benchmarks
	$(BIN)/ruff format --check lambda local scripts tests benchmarks

# cfn-lint and `sam validate`, offline; aws-sam-cli lives in .venv-sam (it pins its own boto3).
validate-template: $(INSTALLED)
	PYTHON=$(PYTHON) scripts/validate-template

# Node tools the tests use (apl-suggester, the APL validator), pinned by package-lock.json.
# Without npm the tests that need them are skipped, with the reason printed.
node-deps:
	@if command -v npm >/dev/null 2>&1; then \
		[ node_modules/.installed -nt package-lock.json ] || \
		{ npm ci --no-audit --no-fund --loglevel=error --update-notifier=false \
			&& touch node_modules/.installed; }; \
	else echo "npm is not installed: the APL validator tests will be skipped"; fi

# skill.json against the interaction models and the code (scripts/check_manifest.py).
check-manifest: $(INSTALLED)
	$(BIN)/python scripts/check_manifest.py $(if $(RELEASE),--release)

# The deployment artifact in .aws-sam/build (what `sam deploy` deploys) and a zip beside it.
package: $(INSTALLED)
	$(BIN)/python scripts/package.py $(if $(RELEASE),--release)

first-run-notice:
	@test -f .venv-sam/.installed || echo "make test: the first run also downloads the AWS SAM CLI (about 340 MB) into .venv-sam, once, to validate template.yaml; later runs reuse it."

# pyproject.toml gives pytest -rs: every skipped test says why (a missing tool, say).
test: first-run-notice lint validate-template node-deps
	$(BIN)/python -m pytest

# Many more fuzzed requests than `make test` runs, and the trust machine (users on devices,
# store faults, deletions, clock jumps) for at least 20,000 steps; each prints its counts.
fuzz: $(INSTALLED)
	FUZZ_EXAMPLES=10000 $(BIN)/python -m pytest tests/skill/test_fuzz_requests.py -q -p no:cacheprovider
	TRUST_STEPS=20000 $(BIN)/python -m pytest tests/storage/test_trust_machine.py -q -s -p no:cacheprovider

# Speed and size figures in one table, each beside its target and baseline (about 3 minutes).
# make bench ARGS=--quick is a smoke run with tiny counts.
bench: $(INSTALLED)
	@PYTHONPATH=lambda:. $(BIN)/python -m benchmarks.run $(ARGS)
