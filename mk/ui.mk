# Browser for the UI tests: Debian's chromium (Playwright drives it via executable_path; never
# `playwright install`, which downloads a browser). Included from the Makefile; quick when done.

CHROMIUM ?= /usr/bin/chromium

.PHONY: browser-setup

browser-setup:
	@if [ -x $(CHROMIUM) ]; then \
		echo "chromium already installed: $$($(CHROMIUM) --version 2>/dev/null)"; \
	else \
		SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		echo "installing chromium with apt-get"; \
		$$SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q chromium; \
	fi
