# The S3-compatible server the tests use: s3s-fs (crates.io), which serves the S3 API over a local
# folder with Signature Version 4 access keys. Source it; it defines:
#   pinetl_s3_server_install        prints the s3s-fs binary's path; builds it with
#                                   `cargo install` into ~/.cache/pinetl/s3s-fs when missing
#                                   (about two minutes; 0.14.1 is the newest that builds with the
#                                   rustc of Debian-era toolchains the project's machines have)
# PINETL_S3S_ROOT overrides the install folder.
PINETL_S3S_VERSION=0.14.1
PINETL_S3S_ROOT=${PINETL_S3S_ROOT:-${XDG_CACHE_HOME:-$HOME/.cache}/pinetl/s3s-fs}

pinetl_s3_server_install() {
  local bin=$PINETL_S3S_ROOT/bin/s3s-fs log
  if [ ! -x "$bin" ]; then
    command -v cargo >/dev/null || { echo "s3_server.sh: cargo not found (rustup installs it)" >&2; return 1; }
    log=$(mktemp)
    echo "setup: cargo install s3s-fs@$PINETL_S3S_VERSION (about two minutes)" >&2
    if ! cargo install "s3s-fs@$PINETL_S3S_VERSION" --features binary --locked \
         --root "$PINETL_S3S_ROOT" >"$log" 2>&1; then
      tail -n 30 "$log" >&2; rm -f "$log"; return 1
    fi
    rm -f "$log"
  fi
  echo "$bin"
}
