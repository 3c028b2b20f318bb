# The two commands of the README: `make serve` and `make test`.
# Both install the Debian packages they need when missing (apt-get, as root or via sudo).

SWIFT  ?= swift
ROOT   ?= ./workspaces
HOST   ?= 127.0.0.1
PORT   ?= 8080
CONFIG ?= debug
# RUNNER: the test runner command (default: the fixture runner of the tour; RUNNER= for none)
RUNNER ?= fixtures/runner/bec-runner.sh {payload} {run}
DEBS   := pkg-config libinotifytools0-dev libxxhash-dev libssl-dev zlib1g-dev patch rsync jq curl openssl python3 fuse3 libfuse3-dev strace xfsprogs
# PyPI packages the tests use: mfusepy mounts the power-loss file system (scripts/powerloss_fs.py)
PIPS   := mfusepy>=3.1,<4
# the browser tests' headless Chromium, its WebDriver, and a Python venv for Selenium
BROWSER_DEBS := chromium chromium-driver python3-venv
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

CLUSTER_DEBS := haproxy lsyncd rsync restic socat util-linux

.PHONY: deps browser-deps build serve test soak fuzz cluster-deps cluster-test clean

# install_missing: apt-get install the Debian packages of $(1) that are not installed yet
define install_missing
	@missing=""; for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing Debian packages:$$missing"; \
		$(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi
endef

## deps: install the system libraries and tools the build and tests use
deps:
	$(call install_missing,$(DEBS))
	@python3 -c 'import mfusepy' 2>/dev/null || python3 -m pip install --quiet '$(PIPS)'

## browser-deps: install what the browser tests need (scripts/browser-tests)
browser-deps:
	$(call install_missing,$(BROWSER_DEBS))

## build: compile the server and CLI (CONFIG=release for an optimized build)
build: deps
	$(SWIFT) build -c $(CONFIG) --product foundry

## serve: build, then run the server on $(ROOT) at $(HOST):$(PORT) (with --runner when RUNNER is set)
serve: build
	$$($(SWIFT) build -c $(CONFIG) --show-bin-path)/foundry serve --root $(ROOT) --host $(HOST) --port $(PORT) $(if $(RUNNER),--runner '$(RUNNER)')

## test: check the Markdown links (and the checker), build everything once, then run every test target, then the browser tests
test: deps browser-deps
	scripts/check-links
	python3 -m unittest discover -s scripts/tests -q
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build
	scripts/browser-tests

## soak: `make test` RUNS times (default 10) in a fresh clone of HEAD, half of them beside a CPU hog
soak:
	scripts/soak-tests $(or $(RUNS),10)

## fuzz: schemathesis (PyPI) against a live server, driven by the served OpenAPI document
fuzz: deps
	$(SWIFT) build --product foundry
	scripts/fuzz

## cluster-deps: the Debian tools of the loopback cluster (docs/cluster.md), and Python's websockets
cluster-deps: deps
	$(call install_missing,$(CLUSTER_DEBS))
	@python3 -c 'import websockets.sync.client' 2>/dev/null || python3 -m pip install --quiet 'websockets>=13'

## cluster-test: backup/restore, failover and sharding on loopback with HAProxy, lsyncd, rsync and restic
cluster-test: cluster-deps
	$(SWIFT) build --product foundry
	scripts/cluster-test

clean:
	rm -rf .build
