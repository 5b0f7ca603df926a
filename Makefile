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

.PHONY: help install build synth plan deploy destroy run local diagram bench test lint typecheck clean

help: ## List the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

# npm writes node_modules/.package-lock.json on every install: it marks an install as current.
DEPS := node_modules/.package-lock.json

$(DEPS): package-lock.json
	npm ci --no-audit --no-fund

install: $(DEPS) ## Install the pinned dependencies (npm ci)

build: $(DEPS) ## Bundle each Lambda under functions/ with esbuild and zip it into dist/
	$(TSX) scripts/build.ts

synth: build ## Synthesize the stack to Terraform HCL in cdktf.out/stacks/transfer-records/
	@# A JSON synth left in the folder would define every resource twice.
	rm -f $(STACK_DIR)/cdk.tf.json
	npx --no-install cdktf synth --hcl

plan: $(DEPS) ## terraform init + plan in the synthesized folder (needs terraform and AWS credentials)
	$(TSX) scripts/terraform.ts preflight
	@$(MAKE) --no-print-directory synth
	$(TSX) scripts/terraform.ts plan

deploy: $(DEPS) ## terraform apply: create every resource of the workflow
	$(TSX) scripts/terraform.ts preflight
	@$(MAKE) --no-print-directory synth
	$(TSX) scripts/terraform.ts apply

destroy: $(DEPS) ## terraform destroy: remove every resource of the workflow
	$(TSX) scripts/terraform.ts preflight
	@$(MAKE) --no-print-directory synth
	$(TSX) scripts/terraform.ts destroy

run: $(DEPS) ## Start an execution on AWS (ITEMS=n or MESSAGES_FILE=f), wait, report
	$(TSX) cli/run.ts $(if $(ITEMS),--count $(ITEMS)) $(if $(MESSAGES_FILE),--messages-file $(MESSAGES_FILE)) $(ARGS)

local: build ## Run the workflow offline on embedded emulators (ITEMS=n, MESSAGES_FILE=f, ARGS=...)
	node dist/local-cli.mjs $(if $(ITEMS),--count $(ITEMS)) $(if $(MESSAGES_FILE),--messages-file $(MESSAGES_FILE)) $(ARGS)

diagram: $(DEPS) ## Render each asl/*.asl.json to an SVG under docs/
	$(TSX) viz/diagram-cli.ts

bench: build ## Benchmark the offline run (wall time, peak RSS, overhead vs direct SDK calls)
	$(TSX) bench/local.ts

test: build ## Run the test suite (mocha, offline)
	npx --no-install mocha 'test/**/*.test.ts'

lint: $(DEPS) ## ESLint, then a TypeScript type-check
	npx --no-install eslint .
	npx --no-install tsc -p tsconfig.json

typecheck: $(DEPS) ## TypeScript type-check only
	npx --no-install tsc -p tsconfig.json

clean: ## Remove build outputs, synthesized Terraform and reports
	rm -rf dist cdktf.out reports
