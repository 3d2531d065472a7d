#!/usr/bin/env bash
# Fuzzes the HTTP API from its own OpenAPI document (GET /openapi.json) with schemathesis, once per kind of
# caller: an operator, an auditor, a compliance officer, a customer and a merchant, each with its own key.
#
#   scripts/fuzz.sh [--ci | --long] [--allow-skip]
#
#   --ci          the default: a fixed number of examples per operation and a fixed seed, so a run is
#                 repeatable and ends in a few minutes on two cores
#   --long        many more examples, and the stateful phase (sequences of calls); the seed is printed
#   --allow-skip  when schemathesis cannot be installed, say so in one loud line and exit 0 (else 1)
#
# It needs dist/ (npm run build) and python3 with its venv module; it installs schemathesis (pinned) into a
# virtualenv of its own, reused across runs, and builds nothing else. It serves dist/cli/main.js on loopback
# with a fresh data folder, seeds a few entities so routes with ids in their path meet real ones, and stops
# the server on exit. Every failure is printed with a curl command that reproduces it. Exits non-zero when
# any check failed or schemathesis could not run.
#
# Environment: IFW_FUZZ_CACHE (where the virtualenv lives, default ${XDG_CACHE_HOME:-~/.cache}/ifw-fuzz),
# IFW_FUZZ_SEED (the seed, default 20260105 with --ci, random with --long),
# IFW_FUZZ_EXAMPLES (examples per operation and phase, default 10 with --ci, 300 with --long).
set -euo pipefail
cd "$(dirname "$0")/.."

# The latest release on PyPI when this was written; it runs on Python 3.9 and later.
readonly SCHEMATHESIS_VERSION=4.32.5
readonly VENV="${IFW_FUZZ_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ifw-fuzz}/venv-$SCHEMATHESIS_VERSION"
readonly SCHEMATHESIS="$VENV/bin/schemathesis"

readonly OPERATOR_KEY=fuzz-operator-key-000001
readonly AUDITOR_KEY=fuzz-auditor-key-0000001
readonly COMPLIANCE_KEY=fuzz-compliance-key-00001

# The checks that hold for this API; why the others are left out is in docs/fuzzing.md.
readonly CHECKS=not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,response_headers_conformance,negative_data_rejection,ignored_auth

mode=ci
allow_skip=no
for argument in "$@"; do
  case "$argument" in
    --ci) mode=ci ;;
    --long) mode=long ;;
    --allow-skip) allow_skip=yes ;;
    -h | --help)
      sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    *)
      echo "fuzz.sh: unknown option $argument (try --help)" >&2
      exit 2
      ;;
  esac
done

if [ "$mode" = ci ]; then
  seed=${IFW_FUZZ_SEED:-20260105}
  examples=${IFW_FUZZ_EXAMPLES:-10}
  phases=examples,coverage,fuzzing
else
  seed=${IFW_FUZZ_SEED:-$((RANDOM * 32768 + RANDOM))}
  examples=${IFW_FUZZ_EXAMPLES:-300}
  phases=examples,coverage,fuzzing,stateful
fi

say() { echo "fuzz.sh: $*" >&2; }

# One line that cannot be missed in a CI log; fatal unless --allow-skip.
skip() {
  echo "!!! The schemathesis fuzzing was SKIPPED: $*"
  if [ "$allow_skip" = yes ]; then exit 0; fi
  exit 1
}

work=$(mktemp -d "${TMPDIR:-/tmp}/ifw-fuzz.XXXXXX")
server_pid=""
# SIGTERM, then SIGKILL after 20 s: `ifw serve` stopped while a compliance rebuild runs says it stopped and
# yet does not exit (see docs/fuzzing.md).
stop_server() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid" 2>/dev/null || true
    local tenths
    for ((tenths = 0; tenths < 200; tenths++)); do
      kill -0 "$server_pid" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$server_pid" 2>/dev/null; then
      say "the server did not exit within 20 s of SIGTERM; killing it"
      kill -KILL "$server_pid" 2>/dev/null || true
    fi
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap stop_server EXIT
trap 'exit 130' INT TERM

install_schemathesis() {
  if "$SCHEMATHESIS" --version 2>/dev/null | grep -qx "schemathesis, version $SCHEMATHESIS_VERSION"; then return 0; fi
  command -v python3 >/dev/null 2>&1 || skip "python3 is not installed"
  say "installing schemathesis $SCHEMATHESIS_VERSION into $VENV (once)"
  rm -rf "$VENV"
  mkdir -p "$(dirname "$VENV")"
  python3 -m venv "$VENV" >"$work/install.log" 2>&1 || skip "python3 -m venv failed: $(tail -n 1 "$work/install.log")"
  "$VENV/bin/pip" install --disable-pip-version-check --quiet "schemathesis==$SCHEMATHESIS_VERSION" >"$work/install.log" 2>&1 ||
    skip "pip install schemathesis==$SCHEMATHESIS_VERSION failed: $(grep -v '^[[:space:]]*$' "$work/install.log" | tail -n 1)"
  "$SCHEMATHESIS" --version >/dev/null 2>&1 || skip "schemathesis $SCHEMATHESIS_VERSION was installed but does not run on $(python3 --version 2>&1)"
}

# Starts the server on a free loopback port and sets $url from the first line it prints.
start_server() {
  [ -f dist/cli/main.js ] || { say "dist/cli/main.js is missing: run npm run build first"; exit 1; }
  # The server's stores all follow --data: a store URL from the caller's environment would point elsewhere.
  env -u IFW_EVENTSTORE_URL -u IFW_READSTORE_URL -u IFW_PROCESS_ENGINE_URL -u IFW_KEYSTORE_URL -u IFW_AUDIT_KEY \
    IFW_HOST=127.0.0.1 \
    IFW_API_KEYS="$OPERATOR_KEY=operator,$AUDITOR_KEY=auditor,$COMPLIANCE_KEY=compliance" \
    IFW_START_DATE=2026-01-05 \
    IFW_RATE_LIMIT_PER_ADDRESS=100000 \
    IFW_RATE_LIMIT_PER_KEY=100000 \
    IFW_WRONG_KEYS_PER_ADDRESS=100000 \
    node dist/cli/main.js serve --data "$work/data" --port 0 --json >"$work/server.out" 2>"$work/server.err" &
  server_pid=$!
  local first_line="" tenths
  for ((tenths = 0; tenths < 300; tenths++)); do
    first_line=$(head -n 1 "$work/server.out")
    if [ -n "$first_line" ]; then break; fi
    if ! kill -0 "$server_pid" 2>/dev/null; then
      cat "$work/server.err" >&2
      say "the server exited before it listened"
      exit 1
    fi
    sleep 0.1
  done
  if [ -z "$first_line" ]; then
    say "the server did not listen within 30 s"
    exit 1
  fi
  url=$(node -e 'console.log(JSON.parse(process.argv[1]).listening)' "$first_line")
}

# Writes the schemathesis configuration of one caller to $work/CALLER.toml: its key, real ids for path
# parameters most of the time (a generated one otherwise; WALLETS, a TOML list, are the wallets it names), and a
# position the log has reached for minPosition (docs/fuzzing.md says why).
write_config() {
  local caller=$1 wallets=$2
  cat >"$work/$caller.toml" <<EOF
[auth.openapi.bearer]
bearer = "\${IFW_FUZZ_KEY}"

# No state kept between runs: schemathesis would write it into .schemathesis/ in the work tree.
[cache]
enabled = false

# The keys printed are this run's throwaway keys: a reproduction must carry them.
[output.sanitization]
enabled = false

# schemathesis's refusals, and 414: the router refuses a path parameter over 100 characters before any route
# reads it. A 5xx is left to not_a_server_error.
[checks.negative_data_rejection]
expected-statuses = [400, 401, 403, 404, 405, 406, 409, 414, 415, 422, 428, 429]

[parameters]
"path.walletId" = { dictionary = "wallets", probability = 0.9 }
"path.customerId" = { dictionary = "customers", probability = 0.9 }
"path.merchantId" = { dictionary = "merchants", probability = 0.9 }
"path.keyId" = { dictionary = "spare-keys", probability = 0.9 }
"path.code" = { dictionary = "funds", probability = 0.9 }
"path.date" = { dictionary = "closed-days", probability = 0.9 }
"path.stream" = { dictionary = "streams", probability = 0.9 }
"path.processId" = { dictionary = "processes", probability = 0.9 }
"path.rebuildId" = { dictionary = "rebuilds", probability = 0.9 }
"path.name" = { dictionary = "projections", probability = 0.9 }
"query.minPosition" = "$IFW_FUZZ_HEAD_POSITION"

[dictionaries]
wallets = { values = $wallets }
customers = { values = ["$IFW_FUZZ_CUSTOMER_ID"] }
merchants = { values = ["$IFW_FUZZ_MERCHANT_ID"] }
spare-keys = { values = ["$IFW_FUZZ_CUSTOMER_SPARE_KEY_ID", "$IFW_FUZZ_MERCHANT_SPARE_KEY_ID"] }
funds = { values = ["$IFW_FUZZ_FUND"] }
closed-days = { values = ["$IFW_FUZZ_CLOSED_DAY"] }
streams = { values = ["wallet-$IFW_FUZZ_CUSTOMER_WALLET", "fund-$IFW_FUZZ_FUND"] }
processes = { values = ["$IFW_FUZZ_PROCESS_ID"] }
rebuilds = { values = ["$IFW_FUZZ_REBUILD_ID"] }
projections = { values = ["activity", "wallets"] }
EOF
}

# Runs schemathesis as one caller; prints its report; returns its exit status.
fuzz_as() {
  local caller=$1 key=$2
  echo
  echo "=== schemathesis as the $caller: $examples examples per operation, seed $seed, phases $phases ==="
  IFW_FUZZ_KEY="$key" "$SCHEMATHESIS" --config-file "$work/$caller.toml" --no-color run "$url/openapi.json" \
    --checks "$CHECKS" --phases "$phases" --max-examples "$examples" --seed "$seed" \
    --generation-database none --request-timeout 15 --workers 1
}

install_schemathesis
start_server
say "serving on $url (data in $work/data); seeding"
node_modules/.bin/tsx test/fuzz/seed-world.ts "$url" "$OPERATOR_KEY" "$COMPLIANCE_KEY" >"$work/world.env"
set -a
# shellcheck source=/dev/null
. "$work/world.env"
set +a
# A customer or a merchant names its own wallet, so that its writes get past the guard; staff name either.
readonly BOTH_WALLETS="[\"$IFW_FUZZ_CUSTOMER_WALLET\", \"$IFW_FUZZ_MERCHANT_WALLET\"]"

started_s=$SECONDS
failed=()
for caller in operator auditor compliance customer merchant; do
  case "$caller" in
    operator) key=$OPERATOR_KEY wallets=$BOTH_WALLETS ;;
    auditor) key=$AUDITOR_KEY wallets=$BOTH_WALLETS ;;
    compliance) key=$COMPLIANCE_KEY wallets=$BOTH_WALLETS ;;
    customer) key=$IFW_FUZZ_CUSTOMER_KEY wallets="[\"$IFW_FUZZ_CUSTOMER_WALLET\"]" ;;
    merchant) key=$IFW_FUZZ_MERCHANT_KEY wallets="[\"$IFW_FUZZ_MERCHANT_WALLET\"]" ;;
  esac
  write_config "$caller" "$wallets"
  fuzz_as "$caller" "$key" || failed+=("$caller")
done

echo
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz.sh: FAILED as ${failed[*]} (seed $seed, $((SECONDS - started_s)) s); each failure above has its curl reproduction"
  exit 1
fi
echo "fuzz.sh: no failure as operator, auditor, compliance, customer or merchant (seed $seed, $((SECONDS - started_s)) s)"
