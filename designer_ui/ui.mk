# The designer's targets, included by the top-level Makefile (`include designer_ui/ui.mk`).
# Paths are relative to the repository root. Node >= 20.19 and npm are needed; Chromium only for ui-e2e.
UI_DIR := designer_ui
UI_NPM := npm --prefix $(UI_DIR) --no-fund --no-audit

.PHONY: ui-install ui-build ui-test ui-e2e ui-check ui-generate

ui-install:  ## install the designer's exact locked dependencies
	$(UI_NPM) ci

ui-build:  ## build the designer into designer_ui/dist (served by `ivrgraph serve`)
	$(UI_NPM) run build

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
