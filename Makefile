# Sluice — the commands a newcomer needs. `make` alone lists them.
# Each target is a thin wrapper: the real work lives in tools/ so it can be
# run (and read) without make.

# tools/setup installs system packages: use sudo unless already root.
SUDO := $(shell [ "$$(id -u)" -eq 0 ] || echo sudo)

KAFKA ?= 0

.DEFAULT_GOAL := help
.PHONY: help test setup services-up services-down build demo bench

help: ## list the targets
	@echo "Sluice make targets:"
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{ printf "  make %-14s %s\n", $$1, $$2 }'

test: ## set up if needed, start local services, build, run every test, stop services
	tools/test

setup: ## install system dependencies (Debian 12; needs root)
	$(SUDO) tools/setup

services-up: ## start local Kafka (Tansu), Redis and InfluxDB; writes .services/env
	tools/services up

services-down: ## stop the local services started by services-up
	tools/services down

build: ## build all products (swift build)
	swift build

demo: ## quick start: the four Faust plugins and order statistics per window, end to end (KAFKA=1: over the local broker)
	KAFKA=$(KAFKA) tools/demo

bench: ## regenerate every benchmark number of BENCHMARKS.md (release build, 30-40 min)
	tools/bench/all
