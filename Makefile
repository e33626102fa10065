# sluice — local stack and tests. `make up` and `make test` are all a newcomer needs.
SHELL := /bin/bash
.DEFAULT_GOAL := help
LOCAL := deploy/local
NODE_BIN = $(shell bash -c 'source $(LOCAL)/env.sh; dirname $$NODE_BIN')
RUN = PATH="$(NODE_BIN):$$PATH"

.PHONY: help up down clean status logs install test test-unit test-integration lint typecheck format

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-17s %s\n", $$1, $$2}'

up: ## install what is missing and start the whole local stack
	@bash $(LOCAL)/up.sh

down: ## stop everything `make up` started (data is kept)
	@bash $(LOCAL)/down.sh

clean: ## stop and remove the stack's data
	@bash $(LOCAL)/clean.sh

status: ## what runs
	@bash $(LOCAL)/status.sh

logs: ## follow all logs (PART=capture for one)
	@bash $(LOCAL)/logs.sh

install: ## pinned Node, npm packages, the librdkafka client and the k8s manifest checkers, built once into the cache
	@bash $(LOCAL)/install/node.sh && bash $(LOCAL)/install/npm-deps.sh && bash $(LOCAL)/install/ckjs.sh && bash $(LOCAL)/install/k8s-tools.sh

lint: install ## biome lint and format check, then the TypeScript type check
	@$(RUN) npx biome check .
	@$(RUN) npx tsc -p tsconfig.json

typecheck: install
	@$(RUN) npx tsc -p tsconfig.json

format: install ## apply biome's formatting and safe fixes
	@$(RUN) npx biome check --write .

test-unit: install ## unit tests (pure logic, no I/O)
	@$(RUN) npx vitest run --project unit

test-integration: install ## integration tests against the real stack (started if needed)
	@bash test/run-integration.sh

test: lint test-unit test-integration ## lint, unit tests, then integration tests on the real stack

.PHONY: bench bench-capture bench-sink bench-sink-hot-path bench-e2e bench-verify bench-kafka-client bench-archive bench-restore

bench: install ## all benchmarks against the running stack, then the targets they measured in this one run
	@started=$$(date +%s); status=0; \
	for b in capture sink e2e verify; do $(MAKE) --no-print-directory bench-$$b || status=$$?; done; \
	$(RUN) node bench/summary/run.ts $$started || status=$$?; exit $$status

bench-capture: install ## capture: rows/s binlog -> committed Kafka records vs raw zongji decode (1M-row backlog); TiDB query capture vs a plain scan
	@$(RUN) node bench/capture/run.ts && $(RUN) node bench/capture/tidb-run.ts

bench-sink: install ## sink: rows/s from a 1M-change topic backlog into each target vs a plain multi-row upsert loop
	@$(RUN) node bench/sink/run.ts

bench-sink-hot-path: install ## sink: CPU per record of decode, plan and statement building alone (no stack needed)
	@$(RUN) node $$(grep -v '^#' deploy/node-flags) bench/sink/hot-path.ts

.PHONY: sluice
sluice: install ## the operator CLI: make sluice ARGS="status" (or verify, replay; --help for each); ./sluice keeps its exit code
	@$(RUN) node services/cli/src/main.ts $(ARGS) || { code=$$?; echo "sluice exited with $$code (make reports any failure as 2; ./sluice $(ARGS) exits with $$code)" >&2; exit $$code; }

bench-archive: install ## archive sink: rows/s from a topic backlog into Avro files vs a plain multi-row INSERT of the same rows into MariaDB
	@$(RUN) node bench/archive/run.ts

bench-restore: install ## sluice restore: rows/s of archived changes replayed into MariaDB vs a plain multi-row INSERT of the same rows
	@$(RUN) node bench/restore/run.ts

bench-kafka-client: install ## Kafka clients behind the port: transactional produce of 1M records, kafkajs vs Confluent (librdkafka)
	@$(RUN) node bench/kafka-client/run.ts

bench-e2e: install ## end to end: p99 source commit -> target commit under a sustained write load, histogram and lag
	@$(RUN) node bench/e2e/run.ts

bench-verify: install ## verify: rows/s compared on a 1M-row table vs a plain SELECT COUNT(*) scan, per target
	@$(RUN) node bench/verify/run.ts
