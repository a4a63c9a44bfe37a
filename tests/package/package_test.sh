#!/usr/bin/env bash
# Goal: the Debian package CPack makes of this build holds what an operator
# installs (tests/package/check_deb.sh says exactly what), without the
# dashboard bundle (tools/package adds it, and checks it the same way).
set -euo pipefail
build="${LEDGER_BUILD_DIR:?set LEDGER_BUILD_DIR to the build directory}"
work="$(mktemp -d "${TMPDIR:-/tmp}/ledger-package.XXXXXX")"
trap 'rm -rf "$work"' EXIT
cpack --config "$build/CPackConfig.cmake" -B "$work" >"$work/cpack.log" 2>&1 || {
  cat "$work/cpack.log" >&2
  exit 1
}
deb="$(ls "$work"/solidarity-ledger_*.deb)"
bash "$(dirname "$0")/check_deb.sh" "$deb"
