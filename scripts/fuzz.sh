#!/usr/bin/env bash
# make fuzz: the long fuzz runs. Each `go test -fuzz` target (func FuzzXxx in a _test.go
# file) runs for FUZZ_TIME (default 30s) in turn; then, in the throwaway environment of
# make test, the schema fuzz of the API (TestSchemaFuzz) sends FUZZ_CASES (default 200)
# requests per operation.
#
# A target that fails leaves its input in testdata/fuzz/FuzzXxx/ of its package: fix the
# bug and commit the input with the fix (plain `go test` then runs it). The schema fuzz
# prints its seed; FUZZ_SEED repeats a run. FUZZ_TARGETS (a regular expression) picks the
# targets; FUZZ_SKIP_API=1 leaves the schema fuzz out.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

FUZZ_TIME=${FUZZ_TIME:-30s}
FUZZ_CASES=${FUZZ_CASES:-200}
export FUZZ_CASES

add_go_bin_to_path
failed=()

section "go test -fuzz: each target for $FUZZ_TIME"
# "package-dir FuzzName" for every fuzz target of the module.
mapfile -t targets < <(grep -rE --include='*_test.go' '^func Fuzz[A-Za-z0-9_]*\(f \*testing\.F\)' . |
    sed -E 's#^\./(.*)/[^/]+_test\.go:func (Fuzz[A-Za-z0-9_]*)\(.*#\1 \2#' | sort -u)
for t in "${targets[@]}"; do
    read -r dir name <<<"$t"
    if [[ -n ${FUZZ_TARGETS:-} && ! $name =~ $FUZZ_TARGETS ]]; then
        continue
    fi
    section "$name (./$dir)"
    # Minimising a new input is capped: for targets whose runs are slow (XLSX) Go's default
    # (a minute per input) would take the whole FUZZ_TIME.
    if ! go test -run '^$' -fuzz "^${name}\$" -fuzztime "$FUZZ_TIME" -fuzzminimizetime 5s "./$dir"; then
        failed+=("$name (./$dir)")
    fi
done

if [[ ${FUZZ_SKIP_API:-0} != 1 ]]; then
    trap cleanup_test_env EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    start_test_env
    section "schema fuzz of the API: FUZZ_CASES=$FUZZ_CASES per operation"
    if ! run_child go test -count=1 -timeout 0 -run '^TestSchemaFuzz$' -v ./internal/api/; then
        failed+=("TestSchemaFuzz (./internal/api)")
    fi
fi

if [[ ${#failed[@]} -gt 0 ]]; then
    section "FAIL: ${failed[*]}"
    exit 1
fi
section "PASS"
