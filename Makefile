# Barometer: two commands on a fresh Debian 12 machine with Swift installed:
#   make test   installs the Debian packages it needs, builds, runs every test
#   make demo   same set-up, then runs the main job on the bundled fixture
SHELL := /bin/bash
DEB_PACKAGES := libblas-dev liblapack-dev libopenblas0-pthread libreadstat-dev chromium zlib1g-dev libreoffice-calc-nogui time
SWIFT ?= swift
SWIFT_FLAGS ?=

.PHONY: test demo bench bench-peers bench-e2e deps build release clean fuzz docs docs-coverage adopter

deps:
	@missing=""; for p in $(DEB_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	  else echo "Please install these Debian packages first: $$missing (e.g. sudo apt-get install$$missing)"; exit 1; fi; \
	fi

	@# PyPI: dask + distributed for the Dask integration test (Tests/Integrations/dask).
	@python3 -c "import dask, distributed" 2>/dev/null || python3 -m pip install -q dask distributed 2>/dev/null \
	  || python3 -m pip install -q --break-system-packages dask distributed \
	  || echo "warning: could not install dask/distributed; the Dask integration test will be skipped"

build: deps
	$(SWIFT) build $(SWIFT_FLAGS)

test: deps
	$(SWIFT) build $(SWIFT_FLAGS)
	$(SWIFT) test $(SWIFT_FLAGS)
	$(MAKE) adopter

# The example package of a new user (Tests/Adopter, Barometer by path): builds
# in its own Tests/Adopter/.build and redoes the memo analyses with the public API.
adopter:
	$(SWIFT) build --package-path Tests/Adopter $(SWIFT_FLAGS)
	Tests/Adopter/.build/debug/Adopter $(CURDIR) > Tests/Adopter/.build/adopter.out
	@echo "Adopter example: ok ($$(wc -l < Tests/Adopter/.build/adopter.out) lines in Tests/Adopter/.build/adopter.out)"

# DocC for every public library module (swift-docc-plugin); any warning fails.
LIBRARY_MODULES := Barometer BarometerIO BarometerClaims BarometerReports
DOCS ?= .build/docs
docs:
	rm -rf $(DOCS) && mkdir -p $(DOCS)
	for m in $(LIBRARY_MODULES); do \
	  $(SWIFT) package --disable-sandbox generate-documentation --target $$m --warnings-as-errors --output-path $(DOCS)/$$m || exit 1; \
	done

# DocC's (experimental) coverage table: abstracts, curation and code listings per symbol kind.
docs-coverage:
	rm -rf $(DOCS)/coverage && mkdir -p $(DOCS)/coverage
	for m in $(LIBRARY_MODULES); do \
	  $(SWIFT) package --disable-sandbox generate-documentation --target $$m --experimental-documentation-coverage --coverage-summary-level brief --output-path $(DOCS)/coverage/$$m || exit 1; \
	done

release: deps
	$(SWIFT) build -c release --product barometer

# The main job: recompute every claim of both memos on the SYNTHETIC fixture
# surveys; reports (Markdown + HTML) go to .build/demo-reports, not the repo.
DEMO_REPORTS ?= .build/demo-reports
demo: release
	@echo "== Table 1 of the Russia memo, recomputed: weighted frequencies of the SYNTHETIC fixture"
	.build/release/barometer freq Fixtures/surveys/kz2019-synthetic.csv --codebook Fixtures/surveys/kz2019-synthetic.codebook.json q_russia_opinion
	@echo "== Every claim of both memos"
	.build/release/barometer verify Fixtures/memos/ponars-658.claims.json --data Fixtures/surveys/kz2019-synthetic.csv --codebook Fixtures/surveys/kz2019-synthetic.codebook.json --report-dir $(DEMO_REPORTS)
	.build/release/barometer verify Fixtures/memos/odr-2020.claims.json --data Fixtures/surveys/kz2020-synthetic.csv --codebook Fixtures/surveys/kz2020-synthetic.codebook.json --report-dir $(DEMO_REPORTS)
	@echo "== Banner book: Russia questions x language, wave and age group, with significance letters"
	.build/release/barometer banner Fixtures/surveys/kz2019-synthetic.csv --codebook Fixtures/surveys/kz2019-synthetic.codebook.json --spec Fixtures/surveys/kz2019-banner.json --out $(DEMO_REPORTS)/kz2019-banner.html
	.build/release/barometer banner Fixtures/surveys/kz2019-synthetic.csv --codebook Fixtures/surveys/kz2019-synthetic.codebook.json --spec Fixtures/surveys/kz2019-banner.json --out $(DEMO_REPORTS)/kz2019-banner.xlsx > /dev/null
	@echo "Reports: $(DEMO_REPORTS)/ponars-658.report.html, $(DEMO_REPORTS)/odr-2020.report.html, $(DEMO_REPORTS)/kz2019-banner.html, $(DEMO_REPORTS)/kz2019-banner.xlsx"

bench: deps
	cd Benchmarks && $(SWIFT) package --disable-sandbox benchmark --target BarometerBenchmarks

bench-peers: deps release
	bash Benchmarks/peers/run.sh

# Fuzzing (libFuzzer + ASan): every harness in Sources/BarometerFuzz/FuzzTargets.swift
# for FUZZ_SECONDS each (or FUZZ_RUNS executions each); crashing inputs are
# written to Fixtures/fuzz/<harness>/, which `make test` replays. FUZZ_HARNESSES
# picks some (e.g. make fuzz FUZZ_HARNESSES="csv claims").
FUZZ_SECONDS ?= 60
FUZZ_HARNESSES ?=
fuzz: deps
	FUZZ_SECONDS=$(FUZZ_SECONDS) bash Tests/Fuzz/run_fuzz.sh $(FUZZ_HARNESSES)

# End to end (issue 21): whole processes, CSV -> answer, Barometer's CLI against svy, samplics,
# pandas, polars and R (data.table + survey). E2E_SCALE=small finishes in a few minutes.
E2E_SCALE ?= full
bench-e2e: deps release
	bash Benchmarks/peers/run_e2e.sh --scale $(E2E_SCALE)

clean:
	rm -rf .build Benchmarks/.build
