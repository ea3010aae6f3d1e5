# gfe: set-up, build, test, benchmarks and reproductions. `make test` and `make reproduce-table1` each do all
# set-up on a fresh machine (Debian packages, data), so either can be the first command run.
SHELL := /bin/bash
SWIFT ?= swift
PACKAGES := libopenblas-dev libhdf5-dev hdf5-tools zlib1g-dev pkg-config dataset-fashion-mnist
RELEASE_BIN := .build/release/gfe

.PHONY: all deps data build test bench clean help reproduce-table1

all: build

help:
	@echo "make test               install what is missing, find the data, build and run the test suite"
	@echo "make build              release build of the gfe command (.build/release/gfe)"
	@echo "make data               find, verify and link the datasets into data/"
	@echo "make bench              engine benchmarks (figures and ratios from one run)"

# Debian packages: installed with apt-get when missing and running as root; otherwise the exact line is printed.
deps:
	@missing=$$(for p in $(PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "deps: installing $$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null || exit 1; \
	  else \
	    echo "deps: missing Debian packages. Run:  sudo apt-get update && sudo apt-get install -y $$missing"; exit 1; \
	  fi; \
	fi

data: deps
	@scripts/data.sh mnist fashion_mnist || scripts/data.sh mnist

build: deps
	$(SWIFT) build -c release --product gfe

test: deps data
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build 2>&1 | tee .build/test.log; exit $${PIPESTATUS[0]}

bench: deps data
	$(SWIFT) build -c release --product GFEBench
	.build/release/GFEBench

clean:
	rm -rf .build

# The main job: Table 1 of the paper (experiments/table1.json), its table beside the paper's values, and the
# diff with the tolerance the spec states. Finished runs are reused (results/table1/<run id>/).
reproduce-table1: build data
	@start=$$(date +%s); \
	$(RELEASE_BIN) run experiments/table1.json || exit $$?; \
	$(RELEASE_BIN) table experiments/table1.json --diff; status=$$?; \
	echo "paper (results/reference/paper-table1.csv):"; grep -v '^#' results/reference/paper-table1.csv | awk -F, '{ for (i = 1; i <= NF; i++) printf "%-24s", $$i; print "" }'; \
	echo "wall time: $$(( $$(date +%s) - start )) s"; exit $$status
