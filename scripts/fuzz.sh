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
# twice, each server with a fresh data folder, seeds a few entities in each so routes with ids in their path
# meet real ones, fuzzes the staff against one and the parties against the other at once, and stops both on
# exit. Every failure is printed with a curl command that reproduces it. Exits non-zero when
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
server_pids=()
# SIGTERM, then SIGKILL after 20 s, so that a server that fails to stop cannot hold the run (one stopped during
# a compliance rebuild once did, docs/fuzzing.md).
stop_server() {
  local pid=$1 tenths
  kill -0 "$pid" 2>/dev/null || return 0
  kill "$pid" 2>/dev/null || true
  for ((tenths = 0; tenths < 200; tenths++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    say "the server $pid did not exit within 20 s of SIGTERM; killing it"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
}
stop_servers() {
  local pid
  for pid in "${server_pids[@]}"; do stop_server "$pid"; done
  rm -rf "$work"
}
trap stop_servers EXIT
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

# Starts the server of lane $1 on a free loopback port, with its data in $work/$1, and sets urls[$1] from the
# first line it prints.
declare -A urls
start_server() {
  local lane=$1
  mkdir -p "$work/$lane"
  # There before the server opens it, for the first reads below.
  : >"$work/$lane/server.out"
  [ -f dist/cli/main.js ] || { say "dist/cli/main.js is missing: run npm run build first"; exit 1; }
  # The server's stores all follow --data: a store URL from the caller's environment would point elsewhere.
  env -u IFW_EVENTSTORE_URL -u IFW_READSTORE_URL -u IFW_PROCESS_ENGINE_URL -u IFW_KEYSTORE_URL -u IFW_AUDIT_KEY \
    IFW_HOST=127.0.0.1 \
    IFW_API_KEYS="$OPERATOR_KEY=operator,$AUDITOR_KEY=auditor,$COMPLIANCE_KEY=compliance" \
    IFW_START_DATE=2026-01-05 \
    IFW_RATE_LIMIT_PER_ADDRESS=100000 \
    IFW_RATE_LIMIT_PER_KEY=100000 \
    IFW_WRONG_KEYS_PER_ADDRESS=100000 \
    node dist/cli/main.js serve --data "$work/$lane/data" --port 0 --json >"$work/$lane/server.out" 2>"$work/$lane/server.err" &
  local pid=$!
  server_pids+=("$pid")
  local first_line="" tenths
  for ((tenths = 0; tenths < 300; tenths++)); do
    first_line=$(head -n 1 "$work/$lane/server.out")
    if [ -n "$first_line" ]; then break; fi
    if ! kill -0 "$pid" 2>/dev/null; then
      cat "$work/$lane/server.err" >&2
      say "the server of lane $lane exited before it listened"
      exit 1
    fi
    sleep 0.1
  done
  if [ -z "$first_line" ]; then
    say "the server of lane $lane did not listen within 30 s"
    exit 1
  fi
  urls[$lane]=$(node -e 'console.log(JSON.parse(process.argv[1]).listening)' "$first_line")
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

# Runs schemathesis as one caller against $url; prints its report; returns its exit status.
fuzz_as() {
  local caller=$1 key=$2
  echo
  echo "=== schemathesis as the $caller: $examples examples per operation, seed $seed, phases $phases ==="
  IFW_FUZZ_KEY="$key" "$SCHEMATHESIS" --config-file "$work/$caller.toml" --no-color run "$url/openapi.json" \
    --checks "$CHECKS" --phases "$phases" --max-examples "$examples" --seed "$seed" \
    --generation-database none --request-timeout 15 --workers 1
}

# Runs the callers of lane $1 (the rest of the arguments) one after another against the lane's server; writes
# the callers that failed to $work/$1/failed.
run_lane() {
  local lane=$1 url=${urls[$1]} caller key wallets failed=()
  shift
  set -a
  # shellcheck source=/dev/null
  . "$work/$lane/world.env"
  set +a
  # A customer or a merchant names its own wallet, so that its writes get past the guard; staff name either.
  local both_wallets="[\"$IFW_FUZZ_CUSTOMER_WALLET\", \"$IFW_FUZZ_MERCHANT_WALLET\"]"
  for caller in "$@"; do
    case "$caller" in
      operator) key=$OPERATOR_KEY wallets=$both_wallets ;;
      auditor) key=$AUDITOR_KEY wallets=$both_wallets ;;
      compliance) key=$COMPLIANCE_KEY wallets=$both_wallets ;;
      customer) key=$IFW_FUZZ_CUSTOMER_KEY wallets="[\"$IFW_FUZZ_CUSTOMER_WALLET\"]" ;;
      merchant) key=$IFW_FUZZ_MERCHANT_KEY wallets="[\"$IFW_FUZZ_MERCHANT_WALLET\"]" ;;
    esac
    write_config "$caller" "$wallets"
    fuzz_as "$caller" "$key" || failed+=("$caller")
  done
  printf '%s\n' "${failed[@]}" >"$work/$lane/failed"
}

# Two lanes, one per core, each with a server of its own seeded alike, so that a caller meets the same
# server state on every run whatever the other lane does: the staff in one, the parties in the other.
readonly LANES=("operator auditor compliance" "customer merchant")

install_schemathesis
for lane in "${!LANES[@]}"; do
  start_server "$lane"
  say "lane $lane (${LANES[$lane]}) serving on ${urls[$lane]} (data in $work/$lane/data); seeding"
  node_modules/.bin/tsx test/fuzz/seed-world.ts "${urls[$lane]}" "$OPERATOR_KEY" "$COMPLIANCE_KEY" >"$work/$lane/world.env"
done

started_s=$SECONDS
lane_pids=()
for lane in "${!LANES[@]}"; do
  # shellcheck disable=SC2086 # a lane's callers are words
  run_lane "$lane" ${LANES[$lane]} >"$work/$lane/log" 2>&1 &
  lane_pids+=("$!")
done
for pid in "${lane_pids[@]}"; do wait "$pid" || true; done
failed=()
for lane in "${!LANES[@]}"; do
  cat "$work/$lane/log"
  if [ ! -f "$work/$lane/failed" ]; then
    failed+=("lane $lane (it ended before its callers did)")
    continue
  fi
  while read -r caller; do
    if [ -n "$caller" ]; then failed+=("$caller"); fi
  done <"$work/$lane/failed"
done

echo
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz.sh: FAILED as ${failed[*]} (seed $seed, $((SECONDS - started_s)) s); each failure above has its curl reproduction"
  exit 1
fi
echo "fuzz.sh: no failure as operator, auditor, compliance, customer or merchant (seed $seed, $((SECONDS - started_s)) s)"
