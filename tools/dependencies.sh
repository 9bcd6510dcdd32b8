# tools/dependencies.sh — sourced by tools/test and tools/demo: what
# tools/setup installs, and whether it is all there.
#
#   missing_dependencies        # prints the missing pieces, space-separated (empty: all there)
#   ensure_dependencies NAME    # runs tools/setup as root when something is missing, else says how
#
# librdkafka must be >= 2.2.0 (see tools/setup for why).

missing_dependencies() {
  local missing=() tool
  export PKG_CONFIG_PATH="/usr/local/lib/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
  if ! command -v pkg-config >/dev/null 2>&1; then
    missing+=(pkg-config)
  else
    pkg-config --atleast-version=2.2.0 rdkafka 2>/dev/null || missing+=("librdkafka>=2.2.0")
    pkg-config --exists hiredis 2>/dev/null || missing+=(hiredis)
    pkg-config --exists libcurl 2>/dev/null || missing+=(libcurl)
    pkg-config --exists rocksdb 2>/dev/null || missing+=(librocksdb)
  fi
  for tool in redis-server redis-cli influxd curl python3 cc; do
    command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
  done
  [ -x /usr/local/bin/tansu ] || missing+=(tansu)
  # Debian's prometheus package: promtool checks the alert rules, a real server scrapes a host.
  command -v prometheus >/dev/null 2>&1 || missing+=(prometheus)
  command -v promtool >/dev/null 2>&1 || missing+=(promtool)
  # The status page's browser test (headless Chromium) and sluice top's terminal test (tmux).
  command -v chromium >/dev/null 2>&1 || missing+=(chromium)
  command -v tmux >/dev/null 2>&1 || missing+=(tmux)
  echo "${missing[*]}"
}

# $1: the calling script's name, for messages. Exits on failure.
ensure_dependencies() {
  local caller="$1" absent
  absent=$(missing_dependencies)
  [ -n "$absent" ] || return 0
  if [ "$(id -u)" -ne 0 ]; then
    printf '%s: error: missing: %s. Install them once with: sudo tools/setup\n' "$caller" "$absent" >&2
    exit 1
  fi
  printf '%s: missing: %s; running tools/setup\n' "$caller" "$absent"
  "$(dirname "${BASH_SOURCE[0]}")/setup"
  absent=$(missing_dependencies)
  if [ -n "$absent" ]; then
    printf '%s: error: tools/setup finished but these are still missing: %s\n' "$caller" "$absent" >&2
    exit 1
  fi
}
