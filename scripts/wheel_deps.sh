#!/usr/bin/env bash
# The C libraries the wheel links statically (docs/wheels.md), built from pinned sources with Zig's
# C compiler for an old glibc, so the wheel's floor is glibc 2.17 (manylinux_2_17), not the build
# machine's:
# - cJSON: Debian's source package (the release with Debian's security patches applied), through
#   `apt-get source` with a private deb-src list made from the machine's own apt sources;
# - SQLite: the amalgamation in the crates.io crate libsqlite3-sys (its sqlite3/ folder), through
#   `cargo fetch` (Cargo checks the crate's checksum).
# Both are checked against the SHA-256 below, compiled with hidden visibility (so the extension
# exports none of their symbols) into static PIC archives, with a pkg-config file each for meson.
#   bash scripts/wheel_deps.sh ARCH ZIG...   (ARCH x86_64|aarch64; ZIG: the command that runs zig,
#                                            e.g. python -m ziglang); prints the prefix
# The result is kept in ~/.cache/pinetl/wheel-deps/<versions>-<target>, so a later run is instant.
set -euo pipefail
arch=$1; shift
zig=("$@")
glibc=2.17
target=$arch-linux-gnu.$glibc

cjson_version=1.7.15-1+deb12u4
cjson_sha256_c=5c5ab83a24eecfebc25b6aa4d47dbdb5f23d1baec92de75fec5f0528dbe255a7
cjson_sha256_h=c25b54ebc98e814eb7b3eeaf12ce899806f87ff5a275b20a3b77dbb3968e5d0b
sqlite_crate=0.40.0   # SQLite 3.54.1
sqlite_sha256_c=0c657666d819f261cc4007526ad57e1669de9949df7a8ea847aa284a2bf0ee52
sqlite_sha256_h=d6c84557261893439b341d2e6c35187ae3ea24fbfd843ad94616f72d89242b8c
sqlite_sha256_ext_h=48963abfefb41ac329ef9d706acb5eadba952a99a748285c9ded6b5e0942721b

cache=${XDG_CACHE_HOME:-$HOME/.cache}/pinetl
prefix=$cache/wheel-deps/cjson-$cjson_version-sqlite-$sqlite_crate-$target
if [ -f "$prefix/.done" ]; then echo "$prefix"; exit 0; fi

# check_sha256 FILE SUM: the file is the pinned one.
check_sha256() {
  echo "$2  $1" | sha256sum -c --quiet - >&2 || { echo "wheel_deps.sh: $1 is not the pinned source" >&2; exit 1; }
}

src=$cache/wheel-deps/src
mkdir -p "$src"
# One fetch at a time (two architectures may be built at once).
exec 9>"$src/.lock"
flock 9
# cJSON from Debian's source package. The deb-src list copies the machine's apt sources (same
# archive, same signing key) into a private apt state, so the machine's own apt is left as it is.
cjson_dir=$src/cjson-$cjson_version
if [ ! -f "$cjson_dir/cJSON.c" ]; then
  apt=$cache/apt-src
  mkdir -p "$apt/sources" "$apt/lists/partial" "$apt/cache/archives/partial"
  cat /etc/apt/sources.list.d/*.sources /dev/null 2>/dev/null | sed 's/^Types: deb$/Types: deb-src/' > "$apt/sources/src.sources"
  [ -s "$apt/sources/src.sources" ] ||
    grep -h '^deb ' /etc/apt/sources.list | sed 's/^deb /deb-src /' > "$apt/sources/src.list"
  aptopts=(-q -o "Dir::Etc::SourceList=/dev/null" -o "Dir::Etc::SourceParts=$apt/sources"
           -o "Dir::State::Lists=$apt/lists" -o "Dir::Cache=$apt/cache")
  apt-get "${aptopts[@]}" update >&2
  tmp=$(mktemp -d "$src/cjson.XXXXXX")
  # The archive keeps only a release's newest revision: when Debian publishes a newer one (a
  # security fix), this fails and the pins above are to be moved to it.
  (cd "$tmp" && apt-get "${aptopts[@]}" source "cjson=$cjson_version" >&2) ||
    { echo "wheel_deps.sh: Debian's cjson $cjson_version is not to be had; pin its current revision" >&2; exit 1; }
  rm -rf "$cjson_dir"
  mv "$tmp"/cjson-*/ "$cjson_dir"
  rm -rf "$tmp"
fi
check_sha256 "$cjson_dir/cJSON.c" $cjson_sha256_c
check_sha256 "$cjson_dir/cJSON.h" $cjson_sha256_h

# SQLite from the crate, fetched by Cargo into its own registry cache.
sqlite_dir=$src/sqlite-$sqlite_crate
if [ ! -f "$sqlite_dir/sqlite3ext.h" ]; then
  tmp=$(mktemp -d "$src/sqlite.XXXXXX")
  mkdir "$tmp/src" && : > "$tmp/src/lib.rs"
  printf '[package]\nname = "pinetl-wheel-deps"\nversion = "0.0.0"\nedition = "2021"\n[dependencies]\nlibsqlite3-sys = { version = "=%s", default-features = false }\n' \
    "$sqlite_crate" > "$tmp/Cargo.toml"
  cargo=$(command -v cargo || echo "$HOME/.cargo/bin/cargo")
  (cd "$tmp" && "$cargo" fetch -q >&2)
  crate=$(cd "$tmp" && "$cargo" metadata -q --format-version 1 |
    python3 -c 'import json,sys; print(next(p["manifest_path"] for p in json.load(sys.stdin)["packages"] if p["name"] == "libsqlite3-sys"))')
  mkdir -p "$sqlite_dir"
  cp "$(dirname "$crate")"/sqlite3/sqlite3{.c,.h,ext.h} "$sqlite_dir/"
  rm -rf "$tmp"
fi
check_sha256 "$sqlite_dir/sqlite3.c" $sqlite_sha256_c
check_sha256 "$sqlite_dir/sqlite3.h" $sqlite_sha256_h
check_sha256 "$sqlite_dir/sqlite3ext.h" $sqlite_sha256_ext_h

# Build: static, PIC, hidden. SQLite with the options the project relies on from Debian's build
# (threadsafe, math functions), nothing else changed.
work=$(mktemp -d "$cache/wheel-deps/build.XXXXXX")
trap 'rm -rf "$work"' EXIT
chmod 755 "$work"
mkdir -p "$work/include" "$work/lib/pkgconfig"
cflags=(-target "$target" -O2 -fPIC -fvisibility=hidden)
"${zig[@]}" cc "${cflags[@]}" -c "$cjson_dir/cJSON.c" -o "$work/cJSON.o"
"${zig[@]}" cc "${cflags[@]}" -DSQLITE_THREADSAFE=1 -DSQLITE_ENABLE_MATH_FUNCTIONS \
  -c "$sqlite_dir/sqlite3.c" -o "$work/sqlite3.o"
"${zig[@]}" ar rcs "$work/lib/libcjson.a" "$work/cJSON.o"
"${zig[@]}" ar rcs "$work/lib/libsqlite3.a" "$work/sqlite3.o"
# Headers where the system packages put them (<cjson/cJSON.h>, <sqlite3.h>).
mkdir -p "$work/include/cjson"
cp "$cjson_dir/cJSON.h" "$work/include/cjson/"
# (sqlite3ext.h: libpinetl's loadable SQLite extension is configured in every build.)
cp "$sqlite_dir/sqlite3.h" "$sqlite_dir/sqlite3ext.h" "$work/include/"
# The .pc files name no path: pkg-config's ${pcfiledir} makes the prefix relocatable.
cat > "$work/lib/pkgconfig/libcjson.pc" <<EOF
prefix=\${pcfiledir}/../..
Name: libcjson
Description: cJSON, static, for the pinetl wheel
Version: ${cjson_version%%-*}
Libs: -L\${prefix}/lib -lcjson -lm
Cflags: -I\${prefix}/include
EOF
cat > "$work/lib/pkgconfig/sqlite3.pc" <<EOF
prefix=\${pcfiledir}/../..
Name: SQLite
Description: SQLite amalgamation, static, for the pinetl wheel
Version: $(sed -n 's/^#define SQLITE_VERSION *"\(.*\)"/\1/p' "$sqlite_dir/sqlite3.h")
Libs: -L\${prefix}/lib -lsqlite3 -lm -ldl -lpthread
Cflags: -I\${prefix}/include
EOF
rm -f "$work"/*.o
touch "$work/.done"
rm -rf "$prefix"
mv "$work" "$prefix"
trap - EXIT
echo "$prefix"
