#!/usr/bin/env bash
# Runs the bundled demo exam. Chromium's sandbox cannot run as root, and kiosk never turns it
# off by itself: for root, this script says so and turns it off explicitly for this demo only.
set -euo pipefail
kiosk=$1
if [ "$(id -u)" -eq 0 ]; then
  echo "make demo: running as root, where Chromium's sandbox cannot start; this demo runs" \
       "without it. Run as a normal user to keep the sandbox." >&2
  export QTWEBENGINE_DISABLE_SANDBOX=1 KIOSK_TEST_ALLOW_UNSAFE_ENGINE=1
fi
exec "$kiosk" demo
