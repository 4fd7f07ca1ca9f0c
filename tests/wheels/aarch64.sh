# The aarch64 wheel under qemu-user-static (Debian's), sourced by tests/wheels/run.sh:
# pinetl_aarch64_test WHEEL REFERENCE installs the wheel (and the dependencies' aarch64 wheels from
# PyPI at the versions of requirements/constraints.txt) for an aarch64 CPython 3.11 and runs
# `import pinetl` and tests/wheels/sample_clean.py under qemu; passes when the output equals
# REFERENCE (the same script's output on x86_64 with the same versions).
# The aarch64 CPython is Debian bookworm's python3.11 and the libraries it needs, arm64 packages
# fetched with apt-get (a private apt state made from the machine's own apt sources, so the
# machine's apt is left alone) and unpacked with dpkg -x; qemu runs it with that root as its
# library prefix (-L). No debootstrap, no emulated dpkg: about 40 packages, 16 MB, seconds.
# Both the root and the dependencies are kept in ~/.cache/pinetl (keyed by the pins).

# pinetl_aarch64_root: prints the root of the aarch64 CPython (made once).
pinetl_aarch64_root() {
  local cache=${XDG_CACHE_HOME:-$HOME/.cache}/pinetl/aarch64-python apt root tmp f
  root=$cache/bookworm-python3.11
  if [ ! -x "$root/usr/bin/python3.11" ]; then
    apt=$cache/apt
    mkdir -p "$apt/sources" "$apt/lists/partial" "$apt/archives/partial" "$apt/cache"
    cat /etc/apt/sources.list.d/*.sources /dev/null 2>/dev/null > "$apt/sources/arm64.sources"
    [ -s "$apt/sources/arm64.sources" ] || cp /etc/apt/sources.list "$apt/sources/arm64.list"
    : > "$apt/status"
    local opts=(-q -o "Dir::Etc::SourceList=/dev/null" -o "Dir::Etc::SourceParts=$apt/sources"
      -o "Dir::State::Lists=$apt/lists" -o "Dir::State::status=$apt/status" -o "Dir::Cache=$apt/cache"
      -o "Dir::Cache::archives=$apt/archives" -o "APT::Architecture=arm64" -o "APT::Architectures::=arm64"
      -o "Debug::NoLocking=1")
    # (Debug::NoLocking: the private state is this function's alone; the machine's lock is not ours.)
    apt-get "${opts[@]}" update >&2 &&
      apt-get "${opts[@]}" install -y --download-only --no-install-recommends python3.11 libstdc++6 >&2 ||
      { echo "aarch64: could not fetch Debian's arm64 python3.11" >&2; return 1; }
    tmp=$(mktemp -d "$cache/root.XXXXXX")
    for f in "$apt"/archives/*_arm64.deb "$apt"/archives/*_all.deb; do dpkg -x "$f" "$tmp"; done
    rm -rf "$root" && mv "$tmp" "$root"
  fi
  echo "$root"
}

# pinetl_aarch64_site PIP CONSTRAINTS: prints a folder with the aarch64 cp311 wheels of the
# binding's dependencies installed (made once per constraints file content).
pinetl_aarch64_site() {
  local pip=$1 constraints=$2 site
  site=${XDG_CACHE_HOME:-$HOME/.cache}/pinetl/aarch64-python/site-$(sha256sum "$constraints" | cut -c1-12)
  if [ ! -f "$site/.done" ]; then
    rm -rf "$site"
    "$pip" install -q --target "$site" --platform manylinux_2_17_aarch64 --platform manylinux_2_28_aarch64 \
      --python-version 3.11 --implementation cp --only-binary=:all: -c "$constraints" \
      cffi numpy pandas pyarrow >&2 || return 1
    touch "$site/.done"
  fi
  echo "$site"
}

pinetl_aarch64_test() {
  local wheel=$1 reference=$2 root site tmp start=$SECONDS
  echo "== aarch64 wheel under qemu ($(basename "$wheel"))"
  tmp=$(mktemp -d)
  if ! pinetl_install_packages qemu-user-static || ! root=$(pinetl_aarch64_root) ||
     ! site=$(pinetl_aarch64_site "$PINETL_VENV-wheeltest-3.11/bin/pip" "$PINETL_ROOT/requirements/constraints.txt") ||
     ! "$PINETL_VENV-wheeltest-3.11/bin/pip" install -q --no-deps --target "$tmp/site" --platform manylinux_2_17_aarch64 \
         --python-version 3.11 --implementation cp --only-binary=:all: "$wheel" >&2; then
    echo "aarch64 set-up failed"; failed=$((failed + 1)); rm -rf "$tmp"; return
  fi
  # -s: no user site; the wheel's folder first, then the dependencies'.
  if (cd "$tmp" && PYTHONPATH=$tmp/site:$site qemu-aarch64-static -L "$root" "$root/usr/bin/python3.11" -s \
        "$PINETL_ROOT/tests/wheels/sample_clean.py" "$PINETL_ROOT/tests/data/real-sample") > "$tmp/out" 2> "$tmp/err" &&
     grep -q "on aarch64" "$tmp/err" && diff "$reference" "$tmp/out"; then
    echo "aarch64: import pinetl and the sample clean equal x86_64's"; passed=$((passed + 1))
  else
    cat "$tmp/err"; echo "aarch64: the sample clean under qemu failed or differs from x86_64's"
    failed=$((failed + 1))
  fi
  echo "(aarch64 under qemu: $((SECONDS - start)) s)"
  rm -rf "$tmp"
}
