# The designer's targets, included by the top-level Makefile (`include designer_ui/ui.mk`).
# Paths are relative to the repository root. Node >= 20.19 and npm are needed; Chromium only for ui-e2e.
UI_DIR := designer_ui
UI_NPM := npm --prefix $(UI_DIR) --no-fund --no-audit

.PHONY: ui-install ui-build ui-test ui-e2e ui-check ui-generate

# Installed and built only when out of date: `make run` used to wipe node_modules (`npm ci`) and rebuild dist on
# every start, ~20 s each time, and pulled node_modules from under anything else using it meanwhile (a second
# `make run`, the e2e's Chromium driver). The stamp is inside node_modules, so deleting that reinstalls.
UI_STAMP := $(UI_DIR)/node_modules/.ivrgraph-installed
UI_BUILD_INPUTS := $(shell find $(UI_DIR)/src $(UI_DIR)/public -type f 2>/dev/null) $(UI_DIR)/index.html \
	$(wildcard $(UI_DIR)/vite.config.* $(UI_DIR)/tsconfig*.json)

$(UI_STAMP): $(UI_DIR)/package.json $(UI_DIR)/package-lock.json
	$(UI_NPM) ci
	touch $@

$(UI_DIR)/dist/index.html: $(UI_STAMP) $(UI_BUILD_INPUTS)
	$(UI_NPM) run build
	touch $@

ui-install: $(UI_STAMP)  ## install the designer's exact locked dependencies (when the lock changed)

ui-build: $(UI_DIR)/dist/index.html  ## build the designer into designer_ui/dist (served by `ivrgraph serve`)

ui-test:  ## vitest: the designer's pure logic
	$(UI_NPM) test

ui-generate:  ## regenerate TypeScript types from schemas/ and the API client types from api/openapi.json
	$(UI_NPM) run generate

# End to end in Debian's Chromium. With IVRGRAPH_URL set, against that running `ivrgraph serve`
# (IVRGRAPH_E2E_USER / IVRGRAPH_E2E_PASSWORD: an admin, used only to create the test's own user);
# without it, scripts/ui-e2e.sh builds the designer and starts a throw-away server first.
# Screenshots go to test-artifacts/designer/.
ui-e2e:
ifdef IVRGRAPH_URL
	$(UI_NPM) run e2e
else
	bash scripts/ui-e2e.sh
endif

ui-check:  ## typecheck, lint (React hooks rules), and fail when a generated file is stale
	$(UI_NPM) run typecheck
	$(UI_NPM) run lint
	$(UI_NPM) run generate:check
