#!/bin/bash
# The OCI validation suite against hako on both of its paths in one run: the warm path (bin/hako,
# the default) and the one-shot path (HAKO_WARM=0: a JVM per call). Exits 1 when a test's verdict
# differs between the two (docs/warm.md: the same behaviour in both paths), apart from the tests
# known to be flaky whatever the runtime (docs/conformance.md, "Flaky").
# Usage (root, after mvn package): tests/conformance/warm-modes.sh [oci-validation options]
set -euo pipefail
cd "$(dirname "$0")/../.."
FLAKY=${FLAKY:-pidfile|killsig}
wrappers=$(mktemp -d /tmp/hako-modes.XXXXXX)
results=$wrappers/results
trap 'rm -rf "$wrappers"' EXIT
printf '#!/bin/sh\nHAKO_WARM=0 exec %s "$@"\n' "$PWD/bin/hako" > "$wrappers/hako-oneshot"
chmod 0755 "$wrappers" "$wrappers/hako-oneshot"
tests/conformance/oci-validation.sh --results "$results" "$@" "$PWD/bin/hako" "$wrappers/hako-oneshot" >&2
awk -F'\t' -v flaky="^($FLAKY)$" '
  NR > 1 { verdict[$1, $2] = $3; tests[$1] = 1 }
  END {
    for (t in tests) {
      if (verdict[t, "hako"] == verdict[t, "hako-oneshot"]) { same++; continue }
      if (t ~ flaky) { printf "flaky, not counted: %s: warm %s, one-shot %s\n", t, verdict[t, "hako"], verdict[t, "hako-oneshot"]; continue }
      printf "DIFFERENT: %s: warm %s, one-shot %s\n", t, verdict[t, "hako"], verdict[t, "hako-oneshot"]; differ++
    }
    printf "warm and one-shot: %d tests with the same verdict, %d different\n", same, differ
    exit differ > 0
  }' "$results/summary.tsv"
