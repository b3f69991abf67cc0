#!/usr/bin/env bash
# start-versitygw.sh BIN_DIR DATA_DIR
#
# Starts a local S3-compatible server for the blob tests: versitygw (the Go
# module github.com/versity/versitygw) with its posix backend, on a free
# loopback port, in the background. Installs it into BIN_DIR first when
# BIN_DIR/versitygw is missing (go install; the first build takes minutes).
# DATA_DIR holds the buckets, the log (versitygw.log) and the pid file
# (versitygw.pid); the bucket "openvod-test" is created there.
#
# Prints export lines for the tests on stdout, so use it as:
#
#   eval "$(internal/blob/testdata/start-versitygw.sh /tmp/vgw/bin /tmp/vgw/data)"
#   go test ./internal/blob/
#   kill "$OPENVOD_TEST_S3_PID"
#
# Progress goes to stderr. Environment: VERSITYGW_VERSION (default v1.8.0).
set -euo pipefail

if [[ $# -ne 2 ]]; then
	echo "usage: $0 BIN_DIR DATA_DIR" >&2
	exit 2
fi
bin_dir=$(mkdir -p "$1" && cd "$1" && pwd)
data_dir=$(mkdir -p "$2" && cd "$2" && pwd)
version=${VERSITYGW_VERSION:-v1.8.0}
gw="$bin_dir/versitygw"
bucket=openvod-test
access=openvodtest
secret=$(head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n')

if [[ ! -x $gw ]]; then
	echo "installing versitygw $version into $bin_dir ..." >&2
	start=$SECONDS
	# Outside any module, so that the project's go.mod is left alone.
	(cd "$data_dir" && GOBIN="$bin_dir" GOFLAGS=-buildvcs=false \
		go install "github.com/versity/versitygw/cmd/versitygw@$version") >&2
	echo "installed in $((SECONDS - start))s" >&2
fi

mkdir -p "$data_dir/root/$bucket"

# port_open PORT succeeds when something listens on 127.0.0.1:PORT.
port_open() {
	(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

for attempt in 1 2 3 4 5; do
	port=$((20000 + RANDOM % 40000))
	port_open "$port" && continue
	ROOT_ACCESS_KEY_ID=$access ROOT_SECRET_ACCESS_KEY=$secret \
		nohup "$gw" --port "127.0.0.1:$port" --quiet \
		posix "$data_dir/root" >"$data_dir/versitygw.log" 2>&1 </dev/null &
	pid=$!
	for _ in $(seq 100); do
		if ! kill -0 "$pid" 2>/dev/null; then
			break
		fi
		if port_open "$port"; then
			echo "$pid" >"$data_dir/versitygw.pid"
			echo "versitygw pid $pid on 127.0.0.1:$port, log $data_dir/versitygw.log" >&2
			cat <<-EOF
				export OPENVOD_TEST_S3_ENDPOINT=http://127.0.0.1:$port
				export OPENVOD_TEST_S3_ACCESS=$access
				export OPENVOD_TEST_S3_SECRET=$secret
				export OPENVOD_TEST_S3_BUCKET=$bucket
				export OPENVOD_TEST_S3_PID=$pid
			EOF
			exit 0
		fi
		sleep 0.1
	done
	kill "$pid" 2>/dev/null || true
	echo "attempt $attempt: versitygw did not listen on port $port:" >&2
	tail -n 20 "$data_dir/versitygw.log" >&2 || true
done
echo "could not start versitygw" >&2
exit 1
