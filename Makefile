# aftersales — developer entry points. `make help` lists them.
SHELL := /usr/bin/env bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

# Go from PATH, else the standard install location.
GO := $(shell command -v go 2>/dev/null || echo /usr/local/go/bin/go)
# Tools installed by `go install` land here; make them (and go) visible to recipes.
GOBIN_DIR := $(shell $(GO) env GOBIN 2>/dev/null)
ifeq ($(strip $(GOBIN_DIR)),)
GOBIN_DIR := $(firstword $(subst :, ,$(shell $(GO) env GOPATH 2>/dev/null)))/bin
endif
export PATH := $(GOBIN_DIR):$(PATH):$(dir $(GO))

# Variables given on the command line reach the scripts through the environment:
#   make test TEST_ARGS='-run TestLogin -v'   make run PGPORT=5434   make fuzz FUZZ_TIME=2m FUZZ_SEED=42

.PHONY: help run test screens fuzz chaos lint bench build web openapi generate tools db stop-db psql clean-data

help: ## List targets
	@awk 'BEGIN { FS = ":.*## " } /^[a-zA-Z0-9_-]+:.*## / { printf "  %-12s %s\n", $$1, $$2 }' $(MAKEFILE_LIST)

run: ## Build the web app if its sources changed, then run locally (private PostgreSQL in ./.data, port PGPORT=5433; `aftersales dev`)
	bash scripts/run.sh

test: ## Web app checks (types, unit tests); throwaway PostgreSQL/Redis/stripe-mock; sqlc diff, go vet, lint, go test with browser journeys (TEST_ARGS, TEST_PKGS)
	bash scripts/test.sh

screens: ## Run the browser journeys and save their screenshots to docs/screens
	UPDATE_SCREENS=1 TEST_PKGS=./web/console/ TEST_ARGS='-run TestJourney' bash scripts/test.sh

fuzz: ## Long fuzz runs: each go test -fuzz target for FUZZ_TIME (30s), then the API schema fuzz with FUZZ_CASES (200)/op
	bash scripts/fuzz.sh

chaos: ## Chaos drills on loopback (kill -9 of server and worker, PostgreSQL restart, Redis stopped) and their table of figures
	bash scripts/chaos.sh

lint: ## Run golangci-lint (.golangci.yml), installing the pinned version if missing or another
	bash scripts/tools.sh golangci-lint
	golangci-lint run ./...

bench: ## Same environment as test, plus BENCH_PGBENCH; go run ./bench (BENCH_ARGS)
	bash scripts/bench.sh

build: web ## Build bin/aftersales (with the web app)
	$(GO) build -o bin/aftersales ./cmd/aftersales

web: ## Build the staff web app (web/app) into web/console/dist; copied from ~/.cache/aftersales/web when its inputs were built before
	bash scripts/web.sh build

openapi: ## Regenerate docs/openapi.json from the routes, and the web app's API types from it
	$(GO) run ./cmd/aftersales openapi > docs/openapi.json
	bash scripts/web.sh schema

generate: ## Regenerate internal/db with sqlc
	bash scripts/tools.sh sqlc
	sqlc generate

tools: ## Install sqlc, stripe-mock and golangci-lint (pinned versions) if missing
	bash scripts/tools.sh sqlc stripe-mock golangci-lint

db: ## Start only the dev PostgreSQL cluster and print DATABASE_URL/APP_DATABASE_URL
	bash scripts/dev-db.sh start

stop-db: ## Stop the dev PostgreSQL cluster (data kept in ./.data)
	bash scripts/dev-db.sh stop

psql: ## psql into the dev database as the superuser
	bash scripts/dev-db.sh psql

clean-data: ## Stop the dev PostgreSQL cluster and delete ./.data
	bash scripts/dev-db.sh clean
