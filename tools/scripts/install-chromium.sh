#!/usr/bin/env bash
# Installs Debian's Chromium for the browser tests (the API reference page), when missing.
# Browser downloads by test tools are not reachable here; the distribution's package is.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" -ne 0 ]; then
  echo "install-chromium: chromium is missing and installing it needs root (apt-get install chromium)" >&2
  exit 1
fi
echo "install-chromium: installing Debian's chromium" >&2
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null
chromium --version >&2
