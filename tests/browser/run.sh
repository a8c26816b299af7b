#!/usr/bin/env bash
# The dashboard's browser test: playwright-core (never a downloaded browser)
# driving Debian's chromium against a real magnumd (tests/browser/magnumd.mjs
# starts it on loopback and removes it, by PID, on success and failure).
#   MAGNUMD=build/magnumd tests/browser/run.sh
#   DASHBOARD_SCREENSHOTS=1 ...   also writes docs/screenshots/*.png
set -euo pipefail
cd "$(dirname "$0")"
if [ ! -d node_modules/playwright-core ]; then
	# playwright-core installs no browser; PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD to be sure.
	PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --prefer-offline >/dev/null
fi
exec node dashboard.test.mjs
