# casefile — build, test and demo targets. `make test` and `make demo` work on
# a fresh machine with Go and git.
GO      ?= go
BIN     := bin/casefile
PKGS    := ./...
DEMO_NOW ?= 2026-12-01T00:00:00Z

.PHONY: all build test lint fmt bench demo fuzz clean

all: build

build:
	$(GO) build -o $(BIN) ./cmd/casefile

test:
	$(GO) test -count=1 $(PKGS)

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet $(PKGS)

fmt:
	gofmt -w $$(git ls-files '*.go')

bench:
	bash bench/run.sh

# Each fuzz target runs for FUZZTIME; crashers land in testdata/fuzz and
# become regression tests that make test runs.
FUZZTIME ?= 30s
FUZZ_TARGETS := ./internal/record:FuzzParse ./internal/record:FuzzEncodeRoundTrip ./internal/record:FuzzSet ./internal/veris:FuzzImport
fuzz:
	@for t in $(FUZZ_TARGETS); do pkg=$${t%%:*}; fn=$${t##*:}; \
	  echo "== $$fn ($$pkg, $(FUZZTIME))"; \
	  $(GO) test $$pkg -run '^$$' -fuzz "^$$fn$$" -fuzztime $(FUZZTIME) || exit 1; done

demo: build
	@echo "== casefile lint examples/ (the bundled example Security Incident Log)"
	cd examples && ../$(BIN) lint --now $(DEMO_NOW) --strict
	@echo
	@echo "== casefile lint examples/invalid/ (three of the broken records, one per rule; findings expected)"
	-cd examples && ../$(BIN) lint --now $(DEMO_NOW) --quiet invalid/schema invalid/time-order invalid/closure-corrective-actions
	@echo
	@echo "== the log"
	cd examples && ../$(BIN) list

clean:
	rm -rf bin
