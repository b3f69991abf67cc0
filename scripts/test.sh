#!/usr/bin/env bash
# The whole test suite, as CI runs it: installs what is missing (ffmpeg,
# Node.js and the Node SDK, PostgreSQL), makes sure a PostgreSQL answers,
# then vets and tests every package.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/local/go/bin"

scripts/deps.sh test

pgdir_file=$(mktemp)
export OPENVOD_TEST_POSTGRES=${OPENVOD_TEST_POSTGRES:-$(PG_DIR_FILE=$pgdir_file scripts/postgres.sh)}
export OPENVOD_REQUIRE_POSTGRES=1
pgdir=$(cat "$pgdir_file"); rm -f "$pgdir_file"
cleanup() { [ -n "$pgdir" ] && scripts/postgres.sh stop "$pgdir"; }
trap cleanup EXIT

echo "== go vet" >&2
go vet ./...
echo "== go test (PostgreSQL: ${OPENVOD_TEST_POSTGRES%%\?*})" >&2
go test -count=1 -timeout 30m ./... "$@"
