#!/bin/bash
# Runs a C test against s3s-fs on loopback (scripts/s3_server.sh): a fresh folder, a bucket in
# it, the endpoint and keys exported (and PINETL_TEST_S3_BUCKET); the server is stopped after.
# Usage: with_s3_server.sh TEST_EXECUTABLE [ARGS...]
set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$here/../../../scripts/s3_server.sh"
tmp=$(mktemp -d)
trap 'pinetl_s3_server_stop; rm -rf "$tmp"' EXIT
mkdir -p "$tmp/s3/bucket-$$" # s3s-fs: a bucket is a folder of its root
pinetl_s3_server_start "$tmp/s3" || exit 1
export AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_CONFIG_FILE=/dev/null
export PINETL_TEST_S3_BUCKET=bucket-$$
"$@"
