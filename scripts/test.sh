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

# A local S3 server for the blob conformance suite (built once into the
# cache; the first build takes minutes).
s3data=$(mktemp -d /tmp/openvod-s3.XXXXXX)
eval "$(internal/blob/testdata/start-versitygw.sh "${OPENVOD_CACHE:-$HOME/.cache/openvod}/bin" "$s3data")"

cleanup() {
  [ -n "$pgdir" ] && scripts/postgres.sh stop "$pgdir"
  kill "$OPENVOD_TEST_S3_PID" 2>/dev/null || true
  rm -rf "$s3data"
}
trap cleanup EXIT

echo "== go vet" >&2
go vet ./...
echo "== go test (PostgreSQL: ${OPENVOD_TEST_POSTGRES%%\?*}, S3: $OPENVOD_TEST_S3_ENDPOINT)" >&2
go test -count=1 -timeout 30m ./... "$@"
