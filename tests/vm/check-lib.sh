# Shared by the checks that run inside the cgroup v2 VM (checks.sh, systemd-checks.sh): the
# counters, the verdicts and the bundle maker. The caller sets W (its work dir, with base.json).
# shellcheck shell=bash
passed=0
failed=0

pass() { echo "pass $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1: $2"; failed=$((failed + 1)); }
# expect NAME ACTUAL EXPECTED: equal strings
expect() { if [ "$2" = "$3" ]; then pass "$1"; else fail "$1" "got '$2', expected '$3'"; fi; }
# expect_true NAME WHY TEST...: the test command succeeds
expect_true() { local name=$1 why=$2; shift 2; if "$@"; then pass "$name"; else fail "$name" "$why"; fi; }

# bundle NAME JQ-FILTER: $W/NAME/config.json, the default spec changed by the filter, and
# $W/NAME.io bound at /io (read-write) for talking to the container.
bundle() {
  mkdir -p "$W/$1" "$W/$1.io"
  jq --arg io "$W/$1.io" '.mounts += [{"destination": "/io", "type": "bind", "source": $io, "options": ["rbind", "rw"]}]
      | '"$2" "$W/base.json" > "$W/$1/config.json"
}
