#!/usr/bin/env bash
# FerretDB 1.24.2 on its SQLite backend, a MongoDB-compatible server for the MongoDB read store's contract suite.
#
#   url=$(scripts/ferretdb.sh start)   builds FerretDB once (cached), starts it on a free loopback port, waits
#                                      until it accepts connections, prints mongodb://127.0.0.1:PORT/
#   scripts/ferretdb.sh stop           stops it and removes its data
#   scripts/ferretdb.sh url            prints the URL of the running instance, fails when none runs
#   scripts/ferretdb.sh build          only builds (or finds) the binary and prints its path
#
# Only the URL (or the path) goes to stdout. Progress goes to stderr, and when anything fails the last line on
# stderr is the one-line reason and the exit status is non-zero.
#
# Why not a plain `go install …/cmd/ferretdb@v1.24.2`: that binary panics at start ("Invalid
# build/version/version.txt file content"). FerretDB embeds build/version/*.txt with go:embed and, when it is the
# main module, requires version.txt to hold the version; the file is generated in FerretDB's own repository and
# is not part of the published module. No build tag or -ldflags sets it (it is read from the embedded files, not
# from a variable). So this script copies the module source, writes version.txt and builds that copy.
#
# Environment: IFW_FERRETDB_CACHE (binary cache folder, default ${XDG_CACHE_HOME:-~/.cache}/ifw/ferretdb-1.24.2),
# IFW_FERRETDB_RUN_DIR (pid, log and data of the running instance, default ${TMPDIR:-/tmp}/ifw-ferretdb-$UID),
# IFW_FERRETDB_START_TIMEOUT (seconds to wait for it to accept connections, default 30),
# IFW_FERRETDB_BUILD_TIMEOUT (seconds the build may take, default 900).
set -uo pipefail

readonly VERSION=v1.24.2
readonly MODULE=github.com/FerretDB/FerretDB
readonly CACHE_DIR=${IFW_FERRETDB_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ifw/ferretdb-${VERSION#v}}
readonly BIN=$CACHE_DIR/ferretdb
readonly RUN_DIR=${IFW_FERRETDB_RUN_DIR:-${TMPDIR:-/tmp}/ifw-ferretdb-$(id -u)}
readonly START_TIMEOUT=${IFW_FERRETDB_START_TIMEOUT:-30}
readonly BUILD_TIMEOUT=${IFW_FERRETDB_BUILD_TIMEOUT:-900}

say() { echo "ferretdb.sh: $*" >&2; }
fail() {
  say "$*"
  exit 1
}

# True when the binary runs and reports the expected version.
binary_ok() {
  [ -x "$1" ] && "$1" --version 2>/dev/null | grep -qx "version: $VERSION"
}

# Prints the path of a working binary, building it when there is none; on failure prints the reason and fails.
ensure_binary() {
  if binary_ok "$BIN"; then
    echo "$BIN"
    return 0
  fi
  command -v go >/dev/null 2>&1 || { say "cannot build FerretDB $VERSION: go is not installed (Go 1.24 or newer is needed)"; return 1; }
  mkdir -p "$CACHE_DIR" || { say "cannot build FerretDB $VERSION: cannot create $CACHE_DIR"; return 1; }
  local log=$CACHE_DIR/build.log work
  work=$(mktemp -d "${TMPDIR:-/tmp}/ifw-ferretdb-build.XXXXXX") || { say "cannot build FerretDB $VERSION: no temp dir"; return 1; }
  say "building FerretDB $VERSION with $(go version | cut -d' ' -f3) (once, cached in $CACHE_DIR; log $log)"
  (
    set -e
    cd "$work"
    # The module source (with go.sum) from the module cache, fetched through the Go module proxy when missing.
    json=$(timeout "$BUILD_TIMEOUT" go mod download -json "$MODULE@$VERSION" || true)
    dir=$(printf '%s\n' "$json" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')
    if [ -z "$dir" ] || [ ! -d "$dir" ]; then
      error=$(printf '%s\n' "$json" | sed -n 's/^[[:space:]]*"Error": "\(.*\)",\{0,1\}$/\1/p')
      echo "cannot download $MODULE@$VERSION: ${error:-go mod download gave no source folder}"
      exit 1
    fi
    cp -R "$dir" src
    chmod -R u+w src
    echo "$VERSION" >src/build/version/version.txt
    cd src
    GOFLAGS=-buildvcs=false timeout "$BUILD_TIMEOUT" go build -trimpath -o "$work/ferretdb" ./cmd/ferretdb
  ) >"$log" 2>&1
  local status=$?
  if [ $status -ne 0 ]; then
    rm -rf "$work"
    local reason
    reason=$(grep -v '^[[:space:]]*$' "$log" | tail -n 1)
    [ $status -eq 124 ] && reason="the build took longer than ${BUILD_TIMEOUT}s"
    say "cannot build FerretDB $VERSION (exit $status): ${reason:-no output, see $log}"
    return 1
  fi
  if ! binary_ok "$work/ferretdb"; then
    rm -rf "$work"
    say "cannot build FerretDB $VERSION: the built binary does not report version $VERSION"
    return 1
  fi
  mv -f "$work/ferretdb" "$BIN.tmp.$$" && mv -f "$BIN.tmp.$$" "$BIN"
  rm -rf "$work"
  echo "$BIN"
}

# True when something accepts TCP connections on 127.0.0.1:$1.
accepting() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# The pid of the instance this script started, when it still runs (checked by its command line, not by name).
running_pid() {
  local pid
  [ -f "$RUN_DIR/pid" ] || return 1
  pid=$(cat "$RUN_DIR/pid")
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "--sqlite-url=file:$RUN_DIR/data/" || return 1
  echo "$pid"
}

cmd_start() {
  if running_pid >/dev/null && [ -f "$RUN_DIR/url" ]; then
    cat "$RUN_DIR/url"
    return 0
  fi
  local bin
  bin=$(ensure_binary) || exit 1
  rm -rf "$RUN_DIR"
  mkdir -p "$RUN_DIR/data" "$RUN_DIR/state" || fail "cannot start FerretDB: cannot create $RUN_DIR"
  local attempt port pid waited
  for attempt in 1 2 3 4 5; do
    port=$((20000 + RANDOM % 40000))
    accepting "$port" && continue
    "$bin" \
      --handler=sqlite \
      --sqlite-url="file:$RUN_DIR/data/" \
      --listen-addr="127.0.0.1:$port" \
      --state-dir="$RUN_DIR/state" \
      --telemetry=disable \
      --debug-addr=- \
      --log-level=warn \
      --log-format=text \
      </dev/null >"$RUN_DIR/ferretdb.log" 2>&1 &
    pid=$!
    echo "$pid" >"$RUN_DIR/pid"
    for ((waited = 0; waited < START_TIMEOUT * 10; waited++)); do
      if ! kill -0 "$pid" 2>/dev/null; then
        # Lost a race for the port: try another one; anything else is the reason to report.
        grep -q 'address already in use' "$RUN_DIR/ferretdb.log" && continue 2
        fail "FerretDB exited at start: $(grep -v '^[[:space:]]*$' "$RUN_DIR/ferretdb.log" | tail -n 1)"
      fi
      if accepting "$port"; then
        echo "mongodb://127.0.0.1:$port/" | tee "$RUN_DIR/url"
        say "FerretDB $VERSION (SQLite backend) pid $pid, data in $RUN_DIR/data"
        return 0
      fi
      sleep 0.1
    done
    kill "$pid" 2>/dev/null
    fail "FerretDB did not accept connections on 127.0.0.1:$port within ${START_TIMEOUT}s (log $RUN_DIR/ferretdb.log)"
  done
  fail "cannot start FerretDB: no free port found in 5 tries"
}

cmd_stop() {
  local pid waited
  if pid=$(running_pid); then
    kill -TERM "$pid" 2>/dev/null
    for ((waited = 0; waited < 100; waited++)); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
    say "stopped FerretDB pid $pid"
  fi
  rm -rf "$RUN_DIR"
}

cmd_url() {
  running_pid >/dev/null && [ -f "$RUN_DIR/url" ] || fail "no FerretDB started by this script is running"
  cat "$RUN_DIR/url"
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  url) cmd_url ;;
  build) ensure_binary || exit 1 ;;
  *) fail "usage: $0 start|stop|url|build" ;;
esac
