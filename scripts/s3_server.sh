# The S3-compatible server the tests use: s3s-fs (crates.io), which serves the S3 API over a local
# folder with Signature Version 4 access keys. Source it; it defines:
#   pinetl_s3_server_install        prints the s3s-fs binary's path; builds it with
#                                   `cargo install` into ~/.cache/pinetl/s3s-fs when missing
#                                   (about two minutes; 0.14.1 is the newest that builds with the
#                                   rustc of Debian-era toolchains the project's machines have)
#   pinetl_s3_server_start ROOT_DIR [PORT] / pinetl_s3_server_stop   (below)
# PINETL_S3S_ROOT overrides the install folder.
PINETL_S3S_VERSION=0.14.1
PINETL_S3S_ROOT=${PINETL_S3S_ROOT:-${XDG_CACHE_HOME:-$HOME/.cache}/pinetl/s3s-fs}

pinetl_s3_server_install() {
  local bin=$PINETL_S3S_ROOT/bin/s3s-fs log
  if [ ! -x "$bin" ]; then
    local cargo
    cargo=$(command -v cargo || echo "$HOME/.cargo/bin/cargo") # rustup's, off PATH in CI shells
    [ -x "$cargo" ] || { echo "s3_server.sh: cargo not found (rustup installs it)" >&2; return 1; }
    log=$(mktemp)
    echo "setup: cargo install s3s-fs@$PINETL_S3S_VERSION (about two minutes)" >&2
    if ! "$cargo" install "s3s-fs@$PINETL_S3S_VERSION" --features binary --locked \
         --root "$PINETL_S3S_ROOT" >"$log" 2>&1; then
      tail -n 30 "$log" >&2; rm -f "$log"; return 1
    fi
    rm -f "$log"
  fi
  echo "$bin"
}

# pinetl_s3_server_start ROOT_DIR: starts s3s-fs on 127.0.0.1 at a free port, serving ROOT_DIR
# (created if missing; a bucket is a folder in it) with an access key and secret generated now,
# and waits until it answers (at most 20 s). Exports AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID,
# AWS_SECRET_ACCESS_KEY, AWS_REGION (us-east-1) and PINETL_S3_SERVER_PID (the server's process;
# its log is ROOT_DIR.log). Unsets AWS_SESSION_TOKEN and AWS_PROFILE so that nothing of the
# caller's own AWS setup reaches the test server. PORT may be given as the second argument (to
# bring a stopped server back on the same endpoint).
# pinetl_s3_server_stop: stops the server started last (by its pid) and waits for it to exit.
pinetl_s3_server_start() {
  local root=$1 port=${2:-} bin i
  [ -n "$root" ] || { echo "pinetl_s3_server_start: ROOT_DIR missing" >&2; return 1; }
  bin=$(pinetl_s3_server_install) || return 1
  mkdir -p "$root" || return 1
  [ -n "$port" ] || port=$(python3 -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()') || return 1
  if [ -z "${AWS_ACCESS_KEY_ID:-}" ] || [ "${PINETL_S3_SERVER_KEYS:-}" != "$AWS_ACCESS_KEY_ID" ]; then
    AWS_ACCESS_KEY_ID=test$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')
    AWS_SECRET_ACCESS_KEY=$(od -An -N20 -tx1 /dev/urandom | tr -d ' \n')
    PINETL_S3_SERVER_KEYS=$AWS_ACCESS_KEY_ID
  fi
  export AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY PINETL_S3_SERVER_KEYS
  export AWS_REGION=us-east-1 AWS_ENDPOINT_URL=http://127.0.0.1:$port
  unset AWS_SESSION_TOKEN AWS_PROFILE
  "$bin" --host 127.0.0.1 --port "$port" --access-key "$AWS_ACCESS_KEY_ID" \
    --secret-key "$AWS_SECRET_ACCESS_KEY" "$root" >"$root.log" 2>&1 &
  PINETL_S3_SERVER_PID=$!
  export PINETL_S3_SERVER_PID
  for i in $(seq 1 200); do
    if python3 -c 'import socket, sys
socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=1).close()' "$port" 2>/dev/null; then
      return 0
    fi
    kill -0 "$PINETL_S3_SERVER_PID" 2>/dev/null || break
    sleep 0.1
  done
  echo "pinetl_s3_server_start: s3s-fs did not answer on 127.0.0.1:$port (log: $root.log)" >&2
  tail -n 5 "$root.log" >&2
  pinetl_s3_server_stop
  return 1
}

pinetl_s3_server_stop() {
  [ -n "${PINETL_S3_SERVER_PID:-}" ] || return 0
  kill "$PINETL_S3_SERVER_PID" 2>/dev/null
  wait "$PINETL_S3_SERVER_PID" 2>/dev/null
  unset PINETL_S3_SERVER_PID
  return 0
}
