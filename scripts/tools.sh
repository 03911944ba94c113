#!/usr/bin/env bash
# Install the pinned Go tools if missing or at another version:
#   scripts/tools.sh [sqlc] [stripe-mock] [golangci-lint]   (default: all)
# They go to $(go env GOPATH)/bin (or GOBIN); add that to PATH to use them directly.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

[[ $# -gt 0 ]] || set -- sqlc stripe-mock golangci-lint
for tool in "$@"; do
    case $tool in
        sqlc) ensure_sqlc ;;
        stripe-mock) ensure_stripe_mock ;;
        golangci-lint) ensure_golangci_lint ;;
        *) die "unknown tool: $tool" ;;
    esac
    log "$tool: $(command -v "$tool")"
done
