#!/usr/bin/env bash
# Installs what OpenVOD needs on a Debian machine that has only Go:
#   scripts/deps.sh run    ffmpeg (to run the service)
#   scripts/deps.sh test   ffmpeg, Node.js + the Node SDK test packages, PostgreSQL
# Nothing is installed when it is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    echo "need root to run: $*" >&2; exit 1; fi
}

apt_updated=
apt_install() {
  if [ -z "$apt_updated" ]; then
    echo "deps: apt-get update" >&2
    as_root apt-get update -qq
    apt_updated=1
  fi
  echo "deps: apt-get install $*" >&2
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

need_ffmpeg() {
  command -v ffmpeg >/dev/null && command -v ffprobe >/dev/null || apt_install ffmpeg
}

need_node() {
  command -v node >/dev/null && command -v npm >/dev/null || apt_install nodejs npm
  if [ ! -d test/node/node_modules/tencentcloud-sdk-nodejs-vod ] ||
     ! cmp -s test/node/package-lock.json test/node/node_modules/.package-lock.json 2>/dev/null; then
    echo "deps: npm ci --prefix test/node" >&2
    npm ci --prefix test/node --no-audit --no-fund --loglevel=error >/dev/null
  fi
}

need_postgres_binaries() {
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || apt_install postgresql
}

case "${1:-}" in
  run) need_ffmpeg ;;
  test) need_ffmpeg; need_node; need_postgres_binaries ;;
  *) echo "usage: $0 run|test" >&2; exit 2 ;;
esac
