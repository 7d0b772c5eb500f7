# mkimage-gen: `make` installs, builds and renders the presets into generated/.
NPM_STAMP := node_modules/.package-lock.json
CLI := node dist/cli/main.js

.PHONY: all install build generate check test lint e2e bench clean

all: generate

install: $(NPM_STAMP)
$(NPM_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund

build: install
	npm run --silent build

# Render every preset into generated/, the JSON Schemas into schema/ and the settings
# reference into README.md (this is also how golden files are updated).
generate: build
	$(CLI) generate
	$(CLI) schema > schema/config.schema.json
	$(CLI) schema --project > schema/project.schema.json
	node scripts/readme-reference.mjs

# Exit 1 if generated/ is not what the presets render.
check: build
	$(CLI) check

# Every test: unit, golden, lint, CLI, property, bad configs, and (as root) end-to-end.
test: build
	npx vitest run

lint: build
	npx vitest run test/lint.test.ts

e2e: build
	npx vitest run test/e2e

bench: build
	npx vitest run --config bench/vitest.config.ts

clean:
	rm -rf dist
