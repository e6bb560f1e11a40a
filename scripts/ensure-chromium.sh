#!/usr/bin/env bash
# Makes sure Debian's Chromium is installed for the end-to-end tests (Playwright drives /usr/bin/chromium;
# no browser download works here). Idempotent: returns at once when Chromium is already there.
# Installing needs root and apt (Debian/Ubuntu), as on CI.
set -euo pipefail

CHROMIUM=/usr/bin/chromium

if [ -x "$CHROMIUM" ]; then
  exit 0
fi

. "$(dirname "$0")/lib/apt-install.sh"
apt_install ensure-chromium chromium

if [ ! -x "$CHROMIUM" ]; then
  echo "ensure-chromium: the chromium package installed, but $CHROMIUM is still missing." >&2
  exit 1
fi
echo "ensure-chromium: $("$CHROMIUM" --version 2>/dev/null || echo chromium) installed."
