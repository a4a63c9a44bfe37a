#!/usr/bin/env bash
# Checks a built solidarity-ledger .deb the way dpkg and an operator would
# see it, without installing it: its control fields, every file it holds
# (and nothing it must not: no keys, tokens or certificates, nothing under
# /usr/local, /etc or /var), its maintainer scripts, and that what it holds
# runs when extracted into a scratch root: ledgerd and ledgerctl --version,
# every ExecStart of its units naming a binary it holds, and (with
# --with-dashboard) the dashboard bundle starting on the machine's Node
# without any node_modules.
#   tests/package/check_deb.sh FILE.deb [--with-dashboard]
set -euo pipefail
deb="${1:?usage: check_deb.sh FILE.deb [--with-dashboard]}"
with_dashboard=0
[[ "${2:-}" == "--with-dashboard" ]] && with_dashboard=1
fail() { echo "FAIL: $*" >&2; exit 1; }
scratch="$(mktemp -d "${TMPDIR:-/tmp}/ledger-deb.XXXXXX")"
trap 'rm -rf "$scratch"' EXIT

info="$(dpkg-deb --info "$deb")"
grep -q "^ Package: solidarity-ledger$" <<<"$info" || fail "not the solidarity-ledger package: $info"
grep -Eq "^ Version: [0-9]+\.[0-9]+\.[0-9]+" <<<"$info" || fail "no version: $info"
depends="$(grep "^ Depends:" <<<"$info")" || fail "no Depends: $info"
for lib in libgrpc++ libprotobuf libssl libmicrohttpd libsystemd systemd; do
  grep -q "$lib" <<<"$depends" || fail "Depends lacks $lib: $depends"
done

contents="$(dpkg-deb --contents "$deb" | awk '{print $NF}')"
want=(./usr/bin/ledgerd ./usr/bin/ledgerctl
  ./usr/lib/systemd/system/ledgerd.service ./usr/lib/systemd/system/ledger-dashboard.service
  ./usr/lib/systemd/system/ledger-backup.service ./usr/lib/systemd/system/ledger-backup.timer
  ./usr/lib/systemd/system/ledger-witness.service ./usr/lib/systemd/system/ledger-witness.timer
  ./usr/lib/sysusers.d/solidarity-ledger.conf ./usr/share/solidarity-ledger/ledgerd.env.example
  ./usr/share/doc/solidarity-ledger/README.md ./usr/share/doc/solidarity-ledger/OPERATIONS.md
  ./usr/share/doc/solidarity-ledger/SECURITY.md ./usr/share/doc/solidarity-ledger/ledgerd.env.example)
if ((with_dashboard)); then
  want+=(./usr/share/solidarity-ledger/dashboard/server.js
    ./usr/share/solidarity-ledger/dashboard/dist/server.js
    ./usr/share/solidarity-ledger/dashboard/dist/public/index.html
    ./usr/share/solidarity-ledger/dashboard/dist/public/app.js)
fi
for f in "${want[@]}"; do grep -qxF -- "$f" <<<"$contents" || fail "the package lacks $f"; done
if grep -E '\.(key|token|pem)$|^\./(usr/local|etc|var)/|node_modules' <<<"$contents"; then
  fail "the package holds what it must not (above)"
fi

dpkg-deb --control "$deb" "$scratch/control"
for script in postinst prerm postrm; do
  [[ -x "$scratch/control/$script" ]] || fail "no executable $script"
  sh -n "$scratch/control/$script" || fail "$script is not valid sh"
done
grep -q "systemd-sysusers solidarity-ledger.conf" "$scratch/control/postinst" ||
  fail "postinst adds no user"
if grep -Eq "rm -rf? .*(/var/lib/solidarity-ledger|/etc/solidarity-ledger)" "$scratch"/control/*; then
  fail "a maintainer script deletes the books or the keys"
fi

dpkg-deb -x "$deb" "$scratch/root"
for program in ledgerd ledgerctl; do
  out="$("$scratch/root/usr/bin/$program" --version)" || fail "$program --version failed"
  [[ "$out" == "$program (Solidarity Ledger) "* ]] || fail "$program --version printed $out"
done
# Every unit's ExecStart names a program the package holds (or node).
while read -r exec; do
  [[ "$exec" == /usr/bin/node ]] && continue
  [[ -x "$scratch/root$exec" ]] || fail "a unit runs $exec, which the package does not hold"
done < <(grep -h "^ExecStart=" "$scratch"/root/usr/lib/systemd/system/*.service |
  sed 's/^ExecStart=//; s/ .*//')
grep -q "^Type=notify$" "$scratch/root/usr/lib/systemd/system/ledgerd.service" ||
  fail "ledgerd.service is not Type=notify"

if ((with_dashboard)); then
  out="$(cd "$scratch/root/usr/share/solidarity-ledger/dashboard" && node server.js --help 2>&1)" ||
    fail "the packaged dashboard does not start: $out"
  grep -q -- "--ledger" <<<"$out" || fail "the packaged dashboard's --help: $out"
fi
echo "PASS: $(basename "$deb"): $(wc -l <<<"$contents") entries"
