# gfe: set-up, build, test, benchmarks and reproductions. `make test` and `make reproduce-table1` each do all
# set-up on a fresh machine (Debian packages, data), so either can be the first command run.
SHELL := /bin/bash
SWIFT ?= swift
PACKAGES := libopenblas-dev libhdf5-dev hdf5-tools zlib1g-dev pkg-config dataset-fashion-mnist
RELEASE_BIN := .build/release/gfe

.PHONY: all deps data build test bench clean help smoke reproduce-table1 reproduce-table2 reproduce-figures reproduce-all

all: build

help:
	@echo "make test               install what is missing, find the data, build and run the test suite"
	@echo "make build              release build of the gfe command (.build/release/gfe)"
	@echo "make data               find, verify and link the datasets into data/"
	@echo "make bench              engine benchmarks (figures and ratios from one run)"
	@echo "make smoke              the Table 1 pipeline on a small slice (under a minute)"
	@echo "make reproduce-table1   paper Table 1 (SEEDS=3 for mean ± sd, PRESET=paper for the paper's AMD constants)"
	@echo "make reproduce-table2   paper Table 2 (three datasets; hours)"
	@echo "make reproduce-figures  paper figures 1, 3–7 (hours; reuses Table 2's runs)"
	@echo "make reproduce-all      everything above"

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

# The release binary too: the arithmetic golden test checks that its CPU-specific build computes the same bits.
test: deps data
	$(SWIFT) build -c release --product gfe
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build 2>&1 | tee .build/test.log; exit $${PIPESTATUS[0]}

bench: deps data
	$(SWIFT) build -c release --product GFEBench
	.build/release/GFEBench

clean:
	rm -rf .build

# Reproductions (scripts/reproduce.sh): runs, tables beside the paper's values with the spec's tolerance, figures,
# a rough estimate first and the wall time last. Finished runs are reused. SEEDS=3 runs three seeds (tables give
# mean ± sd); PRESET=paper uses the paper's AMD constants instead of the authors' code's.
REPRODUCE = scripts/reproduce.sh $(if $(SEEDS),--seeds $(SEEDS)) $(if $(PRESET),--preset $(PRESET))

# The main job: Table 1 of the paper (experiments/table1.json) → results/table1/table.csv.
reproduce-table1: build data
	@$(REPRODUCE) table1

reproduce-table2: build data
	@$(REPRODUCE) table2

reproduce-figures: build data
	@$(REPRODUCE) figures

reproduce-all: build data
	@$(REPRODUCE) all

# The Table 1 pipeline on a small slice (under a minute): the first thing to try.
smoke: build data
	@$(REPRODUCE) smoke
