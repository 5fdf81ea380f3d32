# casefile — build, test and demo targets. `make test` and `make demo` work on
# a fresh machine with Go and git.
GO      ?= go
BIN     := bin/casefile
PKGS    := ./...
DEMO_NOW ?= 2026-12-01T00:00:00Z
DEMO_TRENDS ?= bin/demo-trends.html

.PHONY: all build test lint fmt vuln bench demo fuzz clean

# Static analysis tools, installed with `go install` at pinned versions into
# $(TOOLS) on first use (govulncheck v1.1.4 is the newest the module proxy
# here builds).
TOOLS         := $(CURDIR)/bin/tools
GOLANGCI      := $(TOOLS)/golangci-lint
GOLANGCI_VER  := v2.15.0
GOVULNCHECK   := $(TOOLS)/govulncheck
GOVULN_VER    := v1.1.4

all: build

build:
	$(GO) build -o $(BIN) ./cmd/casefile

test:
	$(GO) test -count=1 -tags faultinject $(PKGS)

$(GOLANGCI):
	GOBIN=$(TOOLS) $(GO) install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_VER)

$(GOVULNCHECK):
	GOBIN=$(TOOLS) $(GO) install golang.org/x/vuln/cmd/govulncheck@$(GOVULN_VER)

# lint: gofmt, go vet, then golangci-lint with .golangci.yml (gofumpt,
# staticcheck, errcheck, errorlint, gosec, revive, depguard for the package
# layering); CI fails on any finding.
lint: $(GOLANGCI)
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet $(PKGS)
	$(GOLANGCI) run $(PKGS)

fmt: $(GOLANGCI)
	$(GOLANGCI) fmt $(PKGS)

# vuln: govulncheck against the Go vulnerability database. Without network
# access, point it at a local copy: make vuln VULNDB=file:///path/to/vulndb
VULNDB ?=
vuln: $(GOVULNCHECK)
	@if [ -n "$(VULNDB)" ]; then \
	  $(GOVULNCHECK) -db "$(VULNDB)" $(PKGS); \
	elif curl -fsS -m 10 -o /dev/null https://vuln.go.dev/index/db.json 2>/dev/null; then \
	  $(GOVULNCHECK) $(PKGS); \
	else \
	  echo "make vuln: https://vuln.go.dev cannot be reached from here and no VULNDB=file:///… copy was given;"; \
	  echo "no vulnerability check was made (the project's GitHub Actions workflow runs it on every push)"; exit 1; \
	fi

bench:
	bash bench/run.sh

# Each fuzz target runs for FUZZTIME; crashers land in testdata/fuzz and
# become regression tests that make test runs. Every target runs even after
# one fails; the run fails at the end, unless FUZZ_REPORT_ONLY=1 (CI), which
# names each crasher and its input file loudly but exits 0: a new find of the
# fuzzer is not a regression of the change under test.
FUZZTIME ?= 30s
FUZZ_REPORT_ONLY ?=
FUZZ_TARGETS := \
	./internal/record:FuzzParse ./internal/record:FuzzEncodeRoundTrip ./internal/record:FuzzSet \
	./internal/record/quickload:FuzzDecode ./internal/validate:FuzzValidate \
	./internal/custody:FuzzParseAllowedSigners ./internal/custody:FuzzCommitSignature \
	./internal/veris:FuzzImport
fuzz:
	@failed=""; for t in $(FUZZ_TARGETS); do pkg=$${t%%:*}; fn=$${t##*:}; \
	  echo "== $$fn ($$pkg, $(FUZZTIME))"; \
	  $(GO) test $$pkg -run '^$$' -fuzz "^$$fn$$" -fuzztime $(FUZZTIME) || failed="$$failed $$fn($$pkg)"; done; \
	if [ -n "$$failed" ]; then \
	  echo "FUZZING FOUND CRASHERS in:$$failed"; \
	  echo "their inputs are in the packages' testdata/fuzz folders (see 'Failing input written to' above): fix them and commit the inputs as regression cases"; \
	  if [ "$(FUZZ_REPORT_ONLY)" != 1 ]; then exit 1; fi; \
	else echo "fuzz: no crashers in $(words $(FUZZ_TARGETS)) targets"; fi

demo: build
	@echo "== casefile lint examples/ (the bundled example Security Incident Log)"
	cd examples && ../$(BIN) lint --now $(DEMO_NOW) --strict
	@echo
	@echo "== casefile lint examples/invalid/ (three of the broken records, one per rule; findings expected)"
	-cd examples && ../$(BIN) lint --now $(DEMO_NOW) --quiet invalid/schema invalid/time-order invalid/closure-corrective-actions
	@echo
	@echo "== the log"
	cd examples && ../$(BIN) list
	@echo
	@echo "== the trend analysis of the example log as one self-contained HTML file"
	cd examples && ../$(BIN) report trends --now $(DEMO_NOW) --period quarter --format html --out ../$(DEMO_TRENDS)
	@echo "HTML trends report: $(abspath $(DEMO_TRENDS))"

clean:
	rm -rf bin
