#!/usr/bin/env bash
# Goal: ledgerctl is strict about its command line. For every command and
# subcommand, an unknown option, a stray positional word and an option
# missing its value are each refused with exit 2, exactly one line on
# stderr, nothing on stdout, and nothing written (the head does not move).
# The cases users reported are refused with a useful hint; every command's
# --help lists every option of its table; `reverse` needs --kind; a recorded
# event says the date it was dated with; --json errors are one JSON object.
source "$(dirname "$0")/lib.sh"

# --version: the version and the commit, exit 0, on both programs.
for program in "$LEDGERD" "$LEDGERCTL"; do
  run_rc out "$program" --version
  expect_rc "$RC" 0 "$program --version" "$out"
  [[ "$out" =~ ^(ledgerd|ledgerctl)\ \(Solidarity\ Ledger\)\ [0-9]+\.[0-9]+\.[0-9]+\ \(commit\ ([0-9a-f]{12}(-modified)?|unknown)\)$ ]] ||
    fail "$program --version printed: $out"
done
# ledgerd's --help names no path it was built from.
run_rc out "$LEDGERD" --help
expect_not_contains "$out" "$(cd "$(dirname "$0")/../.." && pwd)"

start_ledgerd "$WORK/ledger"
"$LEDGERCTL" beneficiary add lawyer --name "Lawyer" --event-id a-ben >/dev/null
"$LEDGERCTL" branch affiliate york --union RMT --branch-name York --fee "25.00 GBP" --event-id a-aff >/dev/null
"$LEDGERCTL" donate 20.00 GBP --to lawyer --event-id a-don >/dev/null
"$LEDGERCTL" --json backup create first >/dev/null
head_before="$("$LEDGERCTL" head)"
cd "$WORK"  # so a wrongly written --output file would land here

# refused NAME WANT_TEXT -- ARGS...: exit 2, one stderr line holding
# WANT_TEXT, no stdout, head unchanged.
refused() {
  local name="$1" want="$2"; shift 3
  local rc=0
  "$LEDGERCTL" "$@" >"$WORK/out" 2>"$WORK/err" || rc=$?
  local err; err="$(cat "$WORK/err")"
  [[ "$rc" == "2" ]] || fail "$name: exit $rc, wanted 2 (stderr: $err; stdout: $(cat "$WORK/out"))"
  [[ "$(wc -l <"$WORK/err")" == "1" ]] || fail "$name: wanted one stderr line, got: $err"
  [[ ! -s "$WORK/out" ]] || fail "$name: wrote to stdout: $(cat "$WORK/out")"
  grep -qF -- "$want" <<<"$err" || fail "$name: wanted [$want] in [$err]"
  expect_eq "$("$LEDGERCTL" head)" "$head_before" "$name: head after the refusal"
}

# Every command: its words, a valid set of positional words, one option of
# its own that takes a value, and every option of its table (for --help).
# Fields are separated by '|'; the words are split as the shell would.
COMMANDS=(
  "beneficiary add|newben --name N|--purpose|--name --purpose --sensitive --on --event-id --memo"
  "beneficiary update|lawyer|--name|--name --purpose --on --event-id --memo"
  "beneficiary close|lawyer|--reason|--reason --on --event-id --memo"
  "beneficiary show|lawyer|--as-of|--as-of --data-dir"
  "branch affiliate|newbr --union U --branch-name B --fee '1.00 GBP'|--region|--union --branch-name --region --members --fee --fee-per-member --minimum --period --on --event-id --memo"
  "branch update|york --from-period 2026-04-01 --fee '1.00 GBP'|--members|--from-period --members --fee --fee-per-member --minimum --on --event-id --memo"
  "branch disaffiliate|york|--reason|--reason --on --event-id --memo"
  "branch pay-fee|york 25.00 GBP|--periods|--periods --method --reference --on --event-id --memo"
  "branch show|york|--as-of|--as-of --data-dir"
  "donate|10.00 GBP|--to|--to --donor --branch --donor-ref --method --reference --on --event-id --memo"
  "allocate|lawyer 1.00 GBP|--on|--on --event-id --memo"
  "disburse|lawyer 1.00 GBP --purpose p|--payee|--purpose --payee --method --request-id --on --event-id --memo"
  "pay|r-1|--reference|--method --reference --on --event-id --memo"
  "cancel|r-1|--reason|--reason --on --event-id --memo"
  "approve|r-1|--note|--note --on --event-id --memo"
  "reject|r-1|--reason|--reason --on --event-id --memo"
  "requests||--timeout|--all"
  "policy set|--approvals 1|--above|--approvals --above --on --event-id --memo"
  "policy show||--timeout|"
  "period close|--through 2026-01-31 --reason r|--proposal-id|--through --reason --proposal-id --on --event-id --memo"
  "period approve|p-1 --through 2026-01-31|--memo|--through --on --event-id --memo"
  "period show||--timeout|"
  "reverse|a-don --kind refund --reason r|--amount|--kind --reason --amount --on --event-id --memo"
  "summary||--as-of|--as-of --data-dir"
  "balances||--as-of|--all --as-of --data-dir"
  "branches||--as-of|--all --as-of --data-dir"
  "trial-balance||--as-of|--as-of --data-dir"
  "events||--limit|--from --limit --data-dir"
  "event|a-don|--data-dir|--data-dir"
  "tail||--from|--follow --lines --from --data-dir"
  "head||--data-dir|--data-dir"
  "statement fund|lawyer --from 2026-01-01 --to 2026-12-31|--format|--from --to --format --data-dir"
  "statement branch|york --from 2026-01-01 --to 2026-12-31|--format|--from --to --format --data-dir"
  "statement income|--from 2026-01-01 --to 2026-12-31|--format|--from --to --format --data-dir"
  "audit verify||--to|--from --to --data-dir"
  "audit rebuild-check||--data-dir|--data-dir"
  "audit replay|--data-dir $WORK/ledger|--timeout|--data-dir"
  "export events||--output|--format --output --data-dir"
  "export postings||--output|--format --output --data-dir"
  "backup create|backups2|--timeout|"
  "backup list|$WORK/ledger.backups/first|--timeout|"
  "backup verify|$WORK/ledger.backups/first|--id|--id --scratch"
  "backup restore|$WORK/ledger.backups/first --data-dir $WORK/never|--id|--id --data-dir"
)
GLOBALS="--server --json --timeout --retries --no-progress --help"
n=0
for row in "${COMMANDS[@]}"; do
  IFS='|' read -r words valid value_opt options <<<"$row"
  # shellcheck disable=SC2206  # word splitting is the point
  cmd=($words)
  eval "args=($valid)"
  refused "$words: unknown option" "unknown option --bogus-option" -- "${cmd[@]}" "${args[@]}" --bogus-option
  refused "$words: stray word" 'unexpected word "strayword"' -- "${cmd[@]}" "${args[@]}" strayword
  refused "$words: $value_opt without its value" "$value_opt needs a value" -- "${cmd[@]}" "${args[@]}" "$value_opt"
  # The same mistakes with --json: one JSON line naming the option.
  refused "$words: unknown option (json)" '"reason": "USAGE"' -- --json "${cmd[@]}" "${args[@]}" --bogus-option
  # Help: every option of the table and every global option, exit 0.
  help="$("$LEDGERCTL" "${cmd[@]}" --help)" || fail "$words --help: non-zero exit"
  for o in $options $GLOBALS; do
    grep -qE -- "(^|[ ,])$o( |$)" <<<"$help" || fail "$words --help does not list $o:
$help"
  done
  n=$((n + 1))
done
[[ ! -e "$WORK/never" ]] || fail "a refused backup restore created its target"
[[ ! -e "$WORK/ledger.backups/backups2" ]] || fail "a refused backup create wrote a backup"
expect_eq "$n" "43" "commands checked"

# The reported cases.
refused "--fund for --to" "unknown option --fund; did you mean --to?" -- donate 10.00 GBP --fund lawyer
refused "stray beneficiary" 'unexpected word "lawyer"; did you mean --to lawyer?' -- donate 25.00 GBP lawyer
refused "--payeee" "did you mean --payee?" -- disburse lawyer 1.00 GBP --purpose x --payeee X
refused "balances --sensitive" "unknown option --sensitive" -- balances --sensitive
refused "export --redact" "unknown option --redact" -- export events --redact --output f.csv
[[ ! -e "$WORK/f.csv" && ! -e "$WORK/f.csv.partial" ]] || fail "export --redact wrote a file"
refused "value given to a switch" "--sensitive is a switch and takes no value" -- \
  beneficiary add x --name X --sensitive=yes
refused "repeated option" "--to given twice" -- donate 1.00 GBP --to lawyer --to lawyer
refused "reverse without --kind" "needs --kind: refund, correction, duplicate or chargeback" -- \
  reverse a-don --reason "typo"
refused "unknown --kind" '--kind must be refund, correction, duplicate or chargeback, not "oops"' -- \
  reverse a-don --kind oops --reason "typo"
refused "unknown command" 'unknown command "frobnicate"' -- frobnicate
[[ "$(grep -o 'see ledgerctl' "$WORK/err" | wc -l)" == "1" ]] || fail "'see ledgerctl --help' more than once: $(cat "$WORK/err")"
refused "unknown subcommand" 'did you mean pay-fee?' -- branch pay-fe york 1.00 GBP
refused "tail -f offline" "drop -f" -- tail -f --data-dir "$WORK/ledger"
refused "missing amount currency" "AMOUNT needs its currency" -- donate 10.00

# Global options before or after the command words.
expect_eq "$("$LEDGERCTL" summary --json --server "$LEDGER_SERVER" | jq -r '.totals.event_count')" \
  "4" "globals after the command"
expect_eq "$("$LEDGERCTL" --json --server "$LEDGER_SERVER" summary | jq -r '.totals.event_count')" \
  "4" "globals before the command"
grep -qF "COMMAND [SUBCOMMAND] --help" <<<"$("$LEDGERCTL" --help)" || fail "overview"
grep -qF "pay-fee ID AMOUNT" <<<"$("$LEDGERCTL" branch --help)" || fail "group help"
grep -qF -- "--on YYYY-MM-DD" <<<"$("$LEDGERCTL" donate --help)" || fail "donate help"
for want in "(default: today, UTC)" "(default: a fresh random id" "(default: none)"; do
  grep -qF -- "$want" <<<"$("$LEDGERCTL" donate --help)" || fail "donate --help lacks $want"
done
grep -qF -- "(default: now)" <<<"$("$LEDGERCTL" summary --help)" || fail "summary --help lacks the --as-of default"
grep -qF -- "(default: table (json with --json))" <<<"$("$LEDGERCTL" statement fund --help)" || fail "--format default"

# A recorded event says the date it was dated with.
today="$(date -u +%F)"
out="$("$LEDGERCTL" donate 1.00 GBP --event-id dated-1)"
expect_contains "$out" "recorded donation_received at position 5 (event id dated-1), dated $today (today)"
out="$("$LEDGERCTL" donate 1.00 GBP --on 2026-01-15 --event-id dated-2)"
expect_contains "$out" "(event id dated-2), dated 2026-01-15"
[[ "$out" != *"(today)"* ]] || fail "--on date shown as today: $out"
json="$("$LEDGERCTL" --json donate 1.00 GBP --on 2026-01-16 --event-id dated-3)"
expect_eq "$(jq -r '.occurred_on' <<<"$json")" "2026-01-16" "--json occurred_on"
expect_eq "$(jq -r '.positions[0]' <<<"$json")" "7" "--json positions"
[[ "$(jq -r '.head.hash' <<<"$json")" =~ ^[0-9a-f]{64}$ ]] || fail "append --json head hash not hex: $json"
head_before="$("$LEDGERCTL" head)"

# --json errors: one JSON object on stderr, for usage errors and refusals.
# json_error EXIT -- ARGS...: prints the error object.
json_error() {
  local want="$1"; shift 2
  local rc=0
  "$LEDGERCTL" --json "$@" >"$WORK/out" 2>"$WORK/err" || rc=$?
  [[ "$rc" == "$want" ]] || fail "--json $*: exit $rc, wanted $want ($(cat "$WORK/err"))"
  [[ "$(wc -l <"$WORK/err")" == "1" ]] || fail "--json $*: wanted one stderr line: $(cat "$WORK/err")"
  jq -e . "$WORK/err" >/dev/null || fail "--json $*: stderr is not JSON: $(cat "$WORK/err")"
  cat "$WORK/err"
}
e="$(json_error 2 -- donate 10.00 GBP --fund lawyer)"
expect_eq "$(jq -r '.code' <<<"$e")" "INVALID_ARGUMENT" "usage error code"
expect_eq "$(jq -r '.reason' <<<"$e")" "USAGE" "usage error reason"
expect_eq "$(jq -r '.field' <<<"$e")" "--fund" "usage error field"
expect_eq "$(jq -r '.exit_code' <<<"$e")" "2" "usage error exit_code"
expect_contains "$(jq -r '.message' <<<"$e")" "did you mean --to?"
e="$(json_error 1 -- disburse lawyer 500.00 GBP --purpose rent)"
expect_eq "$(jq -r '.code' <<<"$e")" "FAILED_PRECONDITION" "refusal code"
expect_eq "$(jq -r '.reason' <<<"$e")" "INSUFFICIENT_FUNDS" "refusal reason"
expect_eq "$(jq -r '.details.fund' <<<"$e")" "beneficiary/lawyer" "refusal details.fund"
expect_eq "$(jq -r '.details.available.amount_minor' <<<"$e")" "2000" "refusal details.available"
expect_eq "$(jq -r '.details.requested.amount_minor' <<<"$e")" "50000" "refusal details.requested"
expect_eq "$(jq -r '.exit_code' <<<"$e")" "1" "refusal exit_code"
e="$(json_error 1 -- donate 1.00 GBP --on 2026-02-30)"
expect_eq "$(jq -r '.code' <<<"$e")" "INVALID_ARGUMENT" "bad date code"
expect_eq "$(jq -r '.reason' <<<"$e")" "INVALID_FIELD" "bad date reason"
expect_contains "$(jq -r '.field' <<<"$e")" "occurred_on"
e="$(json_error 1 -- beneficiary show nobody)"
expect_eq "$(jq -r '.code' <<<"$e")" "NOT_FOUND" "unknown beneficiary code"
e="$(json_error 3 -- --server 127.0.0.1:9 --retries 0 summary)"
expect_eq "$(jq -r '.code' <<<"$e")" "UNAVAILABLE" "unreachable code"
expect_eq "$(jq -r '.exit_code' <<<"$e")" "3" "unreachable exit_code"
expect_eq "$("$LEDGERCTL" head)" "$head_before" "head after the --json refusals"
echo "cli_args_test: 1 passed, 0 failed"
