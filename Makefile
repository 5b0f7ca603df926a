# The one entry point. `make help` lists every target.
SHELL := /bin/bash
.DEFAULT_GOAL := help

STACK      := transfer-records
STACK_DIR  := cdktf.out/stacks/$(STACK)
TSX        := node --import tsx
FUNCTIONS  := $(wildcard functions/*/index.ts)
BUNDLES    := $(patsubst functions/%/index.ts,dist/%.zip,$(FUNCTIONS))

# cdktf's telemetry call cannot reach the network offline and only logs an error.
export CHECKPOINT_DISABLE := 1

ITEMS         ?=
MESSAGES_FILE ?=
ARGS          ?=
# The workflow `make local` and `make run` run, by its name in workflow/app.ts; transfer-records when empty.
WORKFLOW      ?=
# The queue type, standard or fifo: `make local|serve` pass it as --queue, `make deploy` (the synth) reads it as QUEUE.
QUEUE         ?=
# make bench-at-scale's runs, one after another, each in a fresh process (one, in its own, when empty).
ROUNDS        ?=

# Node 22 or later runs everything. When the node on PATH is older (or missing), Node 22 is
# installed from npm into .tools/node22 (git-ignored) before anything else, and its bin folder
# leads PATH for every recipe; a nested make finds Node 22 first and changes nothing.
NODE_TOOLS   := .tools/node22
NODE_VERSION := $(shell node --version 2>/dev/null)
NODE_MAJOR   := $(patsubst v%,%,$(firstword $(subst ., ,$(NODE_VERSION))))
ifneq ($(shell [ "$(NODE_MAJOR)" -ge 22 ] 2>/dev/null && echo current),current)
NODE_SETUP   := $(NODE_TOOLS)/node_modules/.bin/node
export PATH  := $(CURDIR)/$(NODE_TOOLS)/node_modules/.bin:$(PATH)
endif

# Quotes one value for the shell, so a path with spaces or quotes stays one argument.
quote = '$(subst ','\'',$(1))'

# The offline runtime runs each Lambda invocation in an AsyncLocalStorage (local/services/
# function-exit.ts, lambda-log.ts). Node 22.7 to 23 keep such a store without a hook on every
# promise only when given this flag (Node 24 always does, and refuses the flag; Node 22 from npm is
# newer than 22.7). The commands that run the runtime get it through NODE_OPTIONS, so that the
# processes they start (the harness's CLI runs, a benchmark's, a test's) have it too.
NODE_MINOR := $(word 2,$(subst ., ,$(NODE_VERSION)))
ifneq ($(NODE_SETUP)$(shell { [ "$(NODE_MAJOR)" = 22 ] && [ "$(NODE_MINOR)" -ge 7 ]; } 2>/dev/null || [ "$(NODE_MAJOR)" = 23 ] && echo yes),)
ASYNC_CONTEXT_FRAME := --experimental-async-context-frame
RUNTIME_ENV := NODE_OPTIONS=$(call quote,$(strip $(filter-out $(ASYNC_CONTEXT_FRAME),$(NODE_OPTIONS)) $(ASYNC_CONTEXT_FRAME)))
endif

# The seed's input options; --opt=value keeps a negative count from reading as an option.
INPUT_ARGS = $(if $(ITEMS),--count=$(call quote,$(ITEMS))) $(if $(MESSAGES_FILE),--messages-file=$(call quote,$(MESSAGES_FILE)))
WORKFLOW_ARG = $(if $(WORKFLOW),--workflow=$(call quote,$(WORKFLOW)))
QUEUE_ARG    = $(if $(QUEUE),--queue=$(call quote,$(QUEUE)))

.PHONY: help install versions build synth plan deploy destroy run serve test-state local diagram conformance bench bench-startup bench-at-scale bench-peer bench-cost test readme lint typecheck clean

# Two passes, so the descriptions line up after the longest target's name, whatever it is.
help: ## List the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' \
	  '{ name[NR] = $$1; text[NR] = $$2; if (length($$1) > width) width = length($$1) } \
	   END { for (i = 1; i <= NR; i++) printf "  make %-" width "s  %s\n", name[i], text[i] }'

# npm writes node_modules/.package-lock.json on every install: it marks an install as current.
DEPS := node_modules/.package-lock.json

$(NODE_TOOLS)/node_modules/.bin/node:
	@echo "Node $(or $(NODE_VERSION),(none)) on PATH is older than 22: installing Node 22 from npm into $(NODE_TOOLS)/, used by every make target" >&2
	npm install --prefix $(NODE_TOOLS) --no-save --no-audit --no-fund node@22 >&2

$(DEPS): package-lock.json | $(NODE_SETUP)
	npm ci --no-audit --no-fund

install: $(DEPS) ## Install the pinned dependencies (npm ci), and Node 22 first if the node on PATH is older

versions: | $(NODE_SETUP) ## Show the node and npm every target uses
	@echo "node $$(node --version) ($$(command -v node)), npm $$(npm --version)"

# The build runs again only when something it reads changed since its last run: an install, or a
# file outside the folders it writes or never reads (NOT_BUILT_FROM) newer than the stamp taken
# when that run started; or when one of its outputs is missing. FORCE=1 builds anyway.
BUILD_STAMP    := dist/.build-stamp
BUILD_OUTPUTS   = dist/local-cli.mjs dist/local-test-state.mjs dist/local-serve.mjs dist/local-run.mjs $(BUNDLES)
NOT_BUILT_FROM := ./.git ./.tools ./node_modules ./dist ./cdktf.out ./reports ./test
build: $(DEPS) ## Bundle each Lambda under functions/ with esbuild and zip it into dist/, and the offline CLI (skipped when nothing changed; FORCE=1 builds anyway)
	@if [ -z "$(FORCE)" ] && [ -f $(BUILD_STAMP) ] $(foreach output,$(BUILD_OUTPUTS),&& [ -f $(output) ]) \
	  && [ ! $(DEPS) -nt $(BUILD_STAMP) ] \
	  && [ -z "$$(find . $(foreach folder,$(NOT_BUILT_FROM),-path $(folder) -prune -o) -type f -newer $(BUILD_STAMP) -print -quit)" ]; then \
	  echo "dist/ is up to date with the sources (FORCE=1 builds it again)"; \
	else \
	  mkdir -p dist && touch dist/.build-started && $(TSX) scripts/build.ts && mv dist/.build-started $(BUILD_STAMP); \
	fi

synth: build ## Synthesize the stack to Terraform HCL in cdktf.out/stacks/transfer-records/
	@# A JSON synth left in the folder would define every resource twice.
	rm -f $(STACK_DIR)/cdk.tf.json
	@# cdktf redraws a spinner with escape codes; CI=1 makes it print plain lines where no terminal reads them.
	[ -t 1 ] || export CI=1; npx --no-install cdktf synth --hcl

plan: $(DEPS) ## terraform init + plan in the synthesized folder (needs terraform and AWS credentials)
	$(TSX) scripts/terraform.ts preflight
	@$(MAKE) --no-print-directory synth
	$(TSX) scripts/terraform.ts plan

deploy: $(DEPS) ## terraform apply: create every resource of the workflow (QUEUE=fifo: FIFO queues)
	$(TSX) scripts/terraform.ts preflight
	@$(MAKE) --no-print-directory synth
	$(TSX) scripts/terraform.ts apply

destroy: $(DEPS) ## terraform destroy: remove every resource of the workflow
	$(TSX) scripts/terraform.ts preflight
	@$(MAKE) --no-print-directory synth
	$(TSX) scripts/terraform.ts destroy

# TARGET=local runs the same client against a local Step Functions endpoint (local/api/) on the emulators.
TARGET ?= aws
PORT   ?=

run: $(DEPS) ## Start an execution on AWS (WORKFLOW=name, ITEMS=n or MESSAGES_FILE=f), wait, report; TARGET=local: the same client, offline
ifeq ($(TARGET),local)
	@$(MAKE) --no-print-directory build >&2
	@$(RUNTIME_ENV) node dist/local-run.mjs $(WORKFLOW_ARG) $(INPUT_ARGS) $(ARGS)
else
	@# terraform output reads the synthesized backend; its data folder (.terraform/<prefix>.<region>) survives make clean.
	@$(MAKE) --no-print-directory synth >&2
	$(TSX) aws/run.ts $(WORKFLOW_ARG) $(INPUT_ARGS) $(ARGS)
endif

serve: ## The emulators and a local Step Functions endpoint on 127.0.0.1 (PORT=8083, QUEUE=fifo, MOCK_CONFIG=file), until Ctrl-C
	@$(MAKE) --no-print-directory build >&2
	@$(RUNTIME_ENV) node dist/local-serve.mjs $(if $(PORT),--port=$(call quote,$(PORT))) $(QUEUE_ARG) $(if $(MOCK_CONFIG),--mock-config=$(call quote,$(MOCK_CONFIG)))

STATE      ?=
INPUT      ?=
MOCK       ?=
RETRIES    ?=
INSPECTION ?=
CONTEXT    ?=
FAIL       ?=

# Exits 0 whenever TestState answered (RETRIABLE and FAILED included); FAIL=1 exits 1 for those two.
test-state: ## TestState on one state of a workflow, offline: STATE="…" [INPUT='{…}'] [MOCK='{…}'] [CONTEXT='{…}'] [RETRIES=n] [INSPECTION=…] [WORKFLOW=…] [FAIL=1]
	@$(MAKE) --no-print-directory build >&2
	@$(RUNTIME_ENV) node dist/local-test-state.mjs --state=$(call quote,$(STATE)) $(WORKFLOW_ARG) $(if $(INPUT),--input=$(call quote,$(INPUT))) $(if $(MOCK),--mock=$(call quote,$(MOCK))) $(if $(CONTEXT),--context=$(call quote,$(CONTEXT))) $(if $(RETRIES),--retries=$(call quote,$(RETRIES))) $(if $(INSPECTION),--inspection=$(call quote,$(INSPECTION))) $(if $(FAIL),--fail-on-error) $(ARGS)

# The build's own lines go to stderr: stdout carries the report alone (with --json, one JSON object).
local: ## Run a workflow offline on embedded emulators (WORKFLOW=name, QUEUE=fifo, ITEMS=n, MESSAGES_FILE=f, ARGS=...)
	@$(MAKE) --no-print-directory build >&2
	@$(RUNTIME_ENV) node dist/local-cli.mjs $(WORKFLOW_ARG) $(QUEUE_ARG) $(INPUT_ARGS) $(ARGS)

diagram: $(DEPS) ## Render each asl/*.asl.json to an SVG under docs/
	$(TSX) viz/diagram-cli.ts

# AWS's recorded executions (shared/conformance, beside the repository in CI and on developers' machines).
CONFORMANCE ?= ../shared/conformance

conformance: build ## Run the engine against the executions recorded on AWS (CONFORMANCE=dir), print the totals
	@test -f $(CONFORMANCE)/harness.mjs || { echo "ConformanceMissing: no harness at $(CONFORMANCE)/harness.mjs" >&2; exit 2; }
	@# The harness passes a fixed set of options: the environment keeps the CLI from writing a report per case.
	$(RUNTIME_ENV) NO_HTML_REPORT=1 node $(CONFORMANCE)/harness.mjs . --quiet

bench: build ## Benchmark the offline run (wall time, peak RSS, overhead vs direct SDK calls; the loop on a warm make serve; three runs of 100,000 records; make conformance when the harness is there) and give issue 18's verdicts
	$(RUNTIME_ENV) $(TSX) bench/local.ts $(if $(wildcard $(CONFORMANCE)/harness.mjs),--conformance=$(call quote,$(CONFORMANCE)))

bench-startup: build ## What a CLI process costs around its run (Node alone, --help, one conformance case, make local), and make conformance's wall when the harness is there
	$(RUNTIME_ENV) $(TSX) bench/startup.ts $(if $(wildcard $(CONFORMANCE)/harness.mjs),--conformance=$(call quote,$(CONFORMANCE)))

bench-cost: ## AWS's bill for both workflows (transitions per 1,000 records, cost per million, largest count per execution), with the at-scale workflow on the engine alone (SIZES, default "1000 100000 1000000": ~2 min, 2.5 GB)
	$(TSX) bench/at-scale.ts $(foreach size,$(SIZES),$(call quote,$(size)))

bench-at-scale: build ## The at-scale workflow offline end to end (ITEMS=n, 100000 by default; ROUNDS=r runs, each in a fresh process, with medians and issue 18's targets): wall, CPU, peak RSS, the seed/Map Run/reconciliation shares
	$(RUNTIME_ENV) $(TSX) bench/at-scale-offline.ts $(if $(ITEMS),--count=$(call quote,$(ITEMS))) $(if $(ROUNDS),--rounds=$(call quote,$(ROUNDS)))

bench-peer: build ## The classic loop on a warm make serve and on another local emulator (PEER=url: its Step Functions, DynamoDB and SQS on one URL) in turn (COUNTS=10,50,100,500,1000, ROUNDS=5, WARMUP=2 uncounted executions of the largest size)
	$(RUNTIME_ENV) $(TSX) bench/peer.ts --peer=$(call quote,$(PEER)) $(if $(COUNTS),--count=$(call quote,$(COUNTS))) $(if $(ROUNDS),--rounds=$(call quote,$(ROUNDS))) $(if $(WARMUP),--warmup=$(call quote,$(WARMUP)))

# Test files run in TEST_JOBS processes at once (mocha --parallel): many tests wait on a child
# process, a timer or an emulator, so two more than the cores keep them busy (on 2 cores, 4 jobs
# took 66-83 s where 2 took 84-93 s, in turn). TEST_JOBS=1 runs them one after another in mocha's
# own process.
TEST_JOBS ?= $(shell echo $$(( $$(nproc 2>/dev/null || echo 1) + 2 )))
# mocha --parallel hands the files out in the order given: the slowest (5 to 20 s each in
# `make test`) go first, so that none of them starts last while the other jobs have finished.
# The rest follow in name order; a name here that no longer exists is left out.
SLOW_TESTS := $(addprefix test/,$(addsuffix .test.ts,local/cli local/run local/at-scale-run \
  asl/transfer-records engine/expression-bounds functions/seed/limits \
  aws/key-list functions/seed/at-scale aws/run-at-scale second-entry makefile \
  local/api/test-state-cli viz/report-browser engine/jsonata/budget local/at-scale-faults))
TEST_FILES = $(shell find test -name '*.test.ts' | LC_ALL=C sort)

test: build ## Run the test suite (mocha, offline; TEST_JOBS=n files at once, the cores + 2 by default)
	@echo "mocha $(if $(filter 1,$(TEST_JOBS)),,--parallel --jobs $(TEST_JOBS)) test/**/*.test.ts (the slowest files first)"
	@$(RUNTIME_ENV) npx --no-install mocha $(if $(filter 1,$(TEST_JOBS)),,--parallel --jobs $(call quote,$(TEST_JOBS))) \
	  $(filter $(TEST_FILES),$(SLOW_TESTS)) $(filter-out $(SLOW_TESTS),$(TEST_FILES))

readme: build ## Rewrite README.md's sample output and figures from the code (make test fails when they drift)
	$(TSX) scripts/readme-samples.ts --write

lint: $(DEPS) ## ESLint, then a TypeScript type-check
	npx --no-install eslint .
	npx --no-install tsc -p tsconfig.json

typecheck: $(DEPS) ## TypeScript type-check only
	npx --no-install tsc -p tsconfig.json

clean: ## Remove build outputs, synthesized Terraform and reports
	rm -rf dist cdktf.out reports
