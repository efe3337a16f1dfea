#!/bin/sh
# Issue 14's "done when": a controller killed (SIGKILL) at every step of an apply, 50 times with
# --command and 50 times with --supervise-haproxy, converges after every restart. Runs the crash
# test (test/integration/controller-crash-restart.test.ts) with more kills and prints, per step,
# how long the restarted controller took to bring HAProxy to Marathon's state.
#   bench/crash-run.sh [kills per mode, default 50]
set -e
cd "$(dirname "$0")/.."
npm run build >/dev/null
MLB_CRASH_KILLS="${1:-50}" exec node --experimental-vm-modules node_modules/jest/bin/jest.js \
  test/integration/controller-crash-restart.test.ts --selectProjects integration --runInBand
