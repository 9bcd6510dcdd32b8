# tools/bench/lib.sh — shared by the end-to-end benchmark scripts (sourced).
#
# Provides: the release `sluice` binary and plugins (built once into
# Benchmarks/.build, shared with the micro-benchmarks), the C anchors compiled
# with cc, the local services (started here only if not already running, and
# stopped on exit only if started here), a `sluice run` launcher that waits
# for the admin port, and the statistics/table printer.
set -euo pipefail

BENCH_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
readonly BENCH_ROOT
readonly BENCH_DIR="$BENCH_ROOT/tools/bench"
# Build products of the benchmarks live with the Benchmarks package's release build.
readonly BENCH_BUILD="$BENCH_ROOT/Benchmarks/.build"
readonly BENCH_BIN="$BENCH_BUILD/bench-tools"

if ! command -v swift >/dev/null 2>&1 && [ -x /opt/swift/usr/bin/swift ]; then
  export PATH="/opt/swift/usr/bin:$PATH"
fi
export PKG_CONFIG_PATH="/usr/local/lib/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"

# Every line carries the load average (1, 5, 15 minutes) as it is written, so
# each run's log says how busy the machine was before and after it.
bench_log() { printf 'bench: %s [load %s]\n' "$*" "$(cut -d' ' -f1-3 /proc/loadavg)" >&2; }
bench_die() { printf 'bench: error: %s\n' "$*" >&2; exit 1; }

# Scratch directory of this run, removed on exit.
BENCH_TMP="$(mktemp -d /tmp/sluice-bench.XXXXXX)"
readonly BENCH_TMP

# --- services ---------------------------------------------------------------------
BENCH_STARTED_SERVICES=()
bench_cleanup() {
  local status=$?
  trap - EXIT INT TERM
  bench_stop_sluice || true
  if [ ${#BENCH_STARTED_SERVICES[@]} -gt 0 ]; then
    "$BENCH_ROOT/tools/services" down "${BENCH_STARTED_SERVICES[@]}" >&2 || true
  fi
  rm -rf "$BENCH_TMP"
  exit "$status"
}
trap bench_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# bench_services kafka redis …: makes sure they run; exports .services/env.
bench_services() {
  local service
  for service in "$@"; do
    if ! "$BENCH_ROOT/tools/services" status --quiet "$service"; then
      "$BENCH_ROOT/tools/services" up "$service" >&2
      BENCH_STARTED_SERVICES+=("$service")
    fi
  done
  set -a
  # shellcheck source=/dev/null
  . "$BENCH_ROOT/.services/env"
  set +a
}

# --- builds -------------------------------------------------------------------------
# SLUICE_BENCH_BUILD=release (default): products come from the Benchmarks
# package's release build (shared with the micro-benchmarks). =debug: from the
# main package's debug build (what `make test` just built; tools/bench/smoke
# uses it so CI compiles nothing twice). Debug numbers mean nothing.
readonly BENCH_CONFIGURATION="${SLUICE_BENCH_BUILD:-release}"
bench_swift_build() {
  case "$BENCH_CONFIGURATION" in
    release) swift build -c release --package-path "$BENCH_ROOT/Benchmarks" "$@" ;;
    debug) swift build --package-path "$BENCH_ROOT" "$@" ;;
    *) bench_die "SLUICE_BENCH_BUILD must be release or debug, not $BENCH_CONFIGURATION" ;;
  esac
}
# bench_build PRODUCT…: builds products of the main package.
bench_build() {
  local product
  for product in "$@"; do
    bench_swift_build --product "$product" >&2 || bench_die "building $product ($BENCH_CONFIGURATION) failed"
  done
}
# The directory holding the sluice binary and lib<Plugin>.so (asked once: each
# swift invocation plans the whole package).
BENCH_PRODUCTS_DIR=""
bench_release_dir() {
  [ -n "$BENCH_PRODUCTS_DIR" ] || BENCH_PRODUCTS_DIR="$(bench_swift_build --show-bin-path)"
  echo "$BENCH_PRODUCTS_DIR"
}

# bench_cc NAME: compiles tools/bench/NAME.c (librdkafka/libcurl programs) into $BENCH_BIN/NAME.
# (A changed latency_histogram.h is not noticed: remove $BENCH_BIN after editing it.)
bench_cc() {
  local name="$1" libs
  mkdir -p "$BENCH_BIN"
  case "$name" in
    curl_*) libs="$(pkg-config --cflags --libs libcurl)" ;;
    *) libs="$(pkg-config --cflags --libs rdkafka)" ;;
  esac
  if [ ! -x "$BENCH_BIN/$name" ] || [ "$BENCH_DIR/$name.c" -nt "$BENCH_BIN/$name" ]; then
    # shellcheck disable=SC2086  # pkg-config output is a word list
    cc -O2 -Wall -Wextra -o "$BENCH_BIN/$name" "$BENCH_DIR/$name.c" $libs || bench_die "cc $name.c failed"
  fi
  echo "$BENCH_BIN/$name"
}

# bench_noop_plugin DIR TOPIC [NAME] [VERSION] [CFLAGS…]: the no-op C agent
# as DIR/NAME.so (-DMEASURE_LATENCY: the S2 latency agent).
bench_noop_plugin() {
  local dir="$1" topic="$2" name="${3:-noop}" version="${4:-1.0.0}"
  shift $(( $# < 4 ? $# : 4 ))
  mkdir -p "$dir"
  cc -O2 -shared -fPIC -I "$BENCH_ROOT/PluginAPI/include" "$@" \
    -DAGENT_NAME="\"$name\"" -DAGENT_TOPIC="\"$topic\"" -DAGENT_VERSION="\"$version\"" \
    "$BENCH_DIR/noop.c" -o "$dir/$name.so.tmp" || bench_die "cc noop.c failed"
  mv "$dir/$name.so.tmp" "$dir/$name.so"   # rename: the drop-in contract
}

# bench_decoding_plugin DIR TOPIC [NAME]: the decoding C++ agent (decoding.cc,
# RapidJSON) as DIR/NAME.so.
bench_decoding_plugin() {
  local dir="$1" topic="$2" name="${3:-decoding}"
  mkdir -p "$dir"
  c++ -std=c++20 -O2 -shared -fPIC -I "$BENCH_ROOT/PluginAPI/include" \
    -DAGENT_NAME="\"$name\"" -DAGENT_TOPIC="\"$topic\"" \
    "$BENCH_DIR/decoding.cc" -o "$dir/$name.so.tmp" || bench_die "c++ decoding.cc failed"
  mv "$dir/$name.so.tmp" "$dir/$name.so"   # rename: the drop-in contract
}

# --- sluice run ---------------------------------------------------------------------
SLUICE_PID=""
SLUICE_ADMIN=""
# bench_start_sluice DIR: runs `sluice run --config DIR/sluice.yaml` (plugins in
# DIR/plugins, log in DIR/sluice.log) and waits for the admin port.
bench_start_sluice() {
  local dir="$1" sluice deadline port
  sluice="$(bench_release_dir)/sluice"
  [ -x "$sluice" ] || bench_die "$sluice is missing: bench_build sluice first"
  SLUICE_ADMIN_PORT=0 "$sluice" run --config "$dir/sluice.yaml" --plugins "$dir/plugins" \
    > "$dir/sluice.log" 2>&1 &
  SLUICE_PID=$!
  deadline=$((SECONDS + 60))
  until port=$(grep -m1 'admin API listening' "$dir/sluice.log" 2>/dev/null | grep -o 'address=[0-9.]*:[0-9]*' | cut -d: -f2) && [ -n "$port" ]; do
    kill -0 "$SLUICE_PID" 2>/dev/null || { tail -20 "$dir/sluice.log" >&2; bench_die "sluice run exited"; }
    [ "$SECONDS" -lt "$deadline" ] || { tail -20 "$dir/sluice.log" >&2; bench_die "no admin port after 60 s"; }
    sleep 0.1
  done
  SLUICE_ADMIN="127.0.0.1:$port"
}
# bench_rss_kib FIELD: VmRSS or VmHWM (peak) of the running sluice, in KiB.
bench_rss_kib() { awk -v field="$1:" '$1 == field { print $2 }' "/proc/$SLUICE_PID/status"; }
# Stops the sluice this script started (TERM, wait: a graceful stop commits).
bench_stop_sluice() {
  [ -n "$SLUICE_PID" ] || return 0
  kill -TERM "$SLUICE_PID" 2>/dev/null || true
  wait "$SLUICE_PID" 2>/dev/null || true
  SLUICE_PID=""
}

# bench_watch AGENT RECORDS [resume]: follows the agent through the admin API
# until it processed RECORDS; prints "records=N seconds=S cpu_seconds=C"
# measured from the last poll that saw no processed record, or with "resume" from the moment
# the watcher itself resumes the paused agent; CPU of the sluice process, from /proc.
bench_watch() {
  python3 "$BENCH_DIR/watch_agent.py" "$SLUICE_ADMIN" "$SLUICE_PID" "$@"
}

# --- statistics ---------------------------------------------------------------------
# bench_field LINE KEY: the value of KEY=… in LINE.
bench_field() { printf '%s\n' "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }

# bench_summary NAME UNIT GOAL "sample…" "anchor sample…": one table line with
# median, min–max, and the ratio of the medians (samples are rates: larger is
# better; the ratio is this/anchor).
bench_summary() {
  python3 "$BENCH_DIR/summary.py" "$@"
}
