# Build and test the host and its plugins. Guests are built from source with
# stock Go; no .wasm is committed.
GO      ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
PLUGINS := $(notdir $(patsubst %/,%,$(dir $(wildcard plugins/*/main.go))))
WASM    := $(PLUGINS:%=dist/plugins/%.wasm)
HOSTILE := $(patsubst %/,%,$(dir $(wildcard testdata/guests/*/main.go)))
HOSTILE_WASM := $(HOSTILE:testdata/guests/%=dist/testguests/%.wasm)
GUEST_SRC := $(shell find abi pdk -name '*.go' -not -name '*_test.go')
WASMFLAGS := GOOS=wasip1 GOARCH=wasm
# The AssemblyScript example, built with the npm packages its lock pins.
AS_DIR  := examples/as-greet
AS_WASM := dist/plugins-as/as-greet.wasm

.PHONY: all build run test test-short check bench fuzz clean
.DELETE_ON_ERROR:
# Lets a pattern rule list the sources of its own stem ($$*, below).
.SECONDEXPANSION:

all: build

build: bin/host $(WASM)

bin/host: FORCE
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "-X main.version=$(VERSION)" -o $@ ./cmd/host

dist/plugins/%.wasm: $(GUEST_SRC) $$(wildcard plugins/$$*/*.go)
	@mkdir -p $(@D)
	$(WASMFLAGS) $(GO) build -buildmode=c-shared -trimpath -ldflags="-s -w" -o $@ ./plugins/$*

dist/testguests/%.wasm: $(GUEST_SRC) $(wildcard testdata/guests/internal/*/*.go) $$(wildcard testdata/guests/$$*/*.go)
	@mkdir -p $(@D)
	$(WASMFLAGS) $(GO) build -buildmode=c-shared -trimpath -ldflags="-s -w" -o $@ ./testdata/guests/$*

# npm ci runs only when node_modules is missing or the lock changed: it
# writes node_modules/.package-lock.json, which stands for the install.
$(AS_DIR)/node_modules/.package-lock.json: $(AS_DIR)/package.json $(AS_DIR)/package-lock.json
	npm ci --prefix $(AS_DIR) --no-audit --no-fund
	@touch $@

# Not under dist/plugins: make run and the Go-plugin tests serve only Go
# plugins. The output path is asconfig.json's.
$(AS_WASM): $(AS_DIR)/asconfig.json $(wildcard $(AS_DIR)/assembly/*.ts) $(AS_DIR)/node_modules/.package-lock.json
	@mkdir -p $(@D)
	npm run --prefix $(AS_DIR) --silent build

# The quick start: build everything and serve the plugins over stdio in mock
# mode, ready for an MCP client. stdout is the protocol: the build's output
# goes to stderr, and make echoes nothing.
run:
	@$(MAKE) --no-print-directory build >&2
	@exec ./bin/host serve --plugins dist/plugins --mock

# Every test: vet, then the whole module with the race detector. The e2e
# tests drive bin/host with the official Go SDK client.
test: build $(HOSTILE_WASM) $(AS_WASM)
	$(GO) vet ./...
	$(WASMFLAGS) $(GO) vet ./pdk/... ./plugins/... ./examples/... ./testdata/guests/...
	$(GO) test -race -count=1 -timeout 20m ./...

# Format, vet and tidy; fails if anything changed.
check:
	gofmt -l . | (! grep .)
	$(GO) vet ./...
	$(GO) mod tidy -diff

bench: build $(HOSTILE_WASM)
	$(GO) test -run '^$$' -bench . -benchmem ./host/ ./hostfuncs/
	./bin/host bench --plugins dist/plugins

fuzz:
	$(GO) test -run '^$$' -fuzz FuzzValidateMeta -fuzztime 3m ./host/auth
	$(GO) test -run '^$$' -fuzz FuzzInstrument -fuzztime 3m ./host/meter
	$(GO) test -run '^$$' -fuzz FuzzRequest -fuzztime 3m ./hostfuncs
	$(GO) test -run '^$$' -fuzz FuzzScrub -fuzztime 3m ./hostfuncs
	$(GO) test -run '^$$' -fuzz FuzzDescriptor -fuzztime 3m ./host
	$(GO) test -run '^$$' -fuzz '^FuzzParseConfig$$' -fuzztime 3m ./host
	$(GO) test -run '^$$' -fuzz FuzzFast -fuzztime 3m ./jsonsel
	$(GO) test -run '^$$' -fuzz FuzzParseSource -fuzztime 3m ./internal/ociplugin
	$(GO) test -run '^$$' -fuzz FuzzWireRequest -fuzztime 3m ./pdk
	$(GO) test -run '^$$' -fuzz FuzzWireHead -fuzztime 3m ./pdk

clean:
	rm -rf bin dist

FORCE:

# The official MCP conformance suite (npm @modelcontextprotocol/conformance),
# server scenarios, against host serve --http serving the conformance test
# plugin. The suite and Node 22 (npm package node) are pinned by
# tools/conformance/package-lock.json; npm ci runs when the lock changes.
CONF_DIR := tools/conformance
.PHONY: conformance
$(CONF_DIR)/node_modules/.package-lock.json: $(CONF_DIR)/package.json $(CONF_DIR)/package-lock.json
	npm ci --prefix $(CONF_DIR) --no-audit --no-fund
	@touch $@

conformance: bin/host dist/testguests/conformance.wasm $(CONF_DIR)/node_modules/.package-lock.json
	bash $(CONF_DIR)/run.sh bin/host dist/testguests/conformance.wasm
