# pinetl_python X.Y: prints the path of a CPython X.Y interpreter: python3.X on PATH if it runs,
# else pyenv's newest X.Y.* (the project's machines have pyenv's 3.10 to 3.13; its shims run a
# version only when it is selected, hence the look-up). Fails with a message when there is none.
pinetl_python() {
  local v=$1 p
  if p=$(command -v "python$v") && "$p" -c '' 2>/dev/null; then
    "$p" -c 'import sys; print(sys.executable)'; return
  fi
  if command -v pyenv >/dev/null; then
    p=$(pyenv versions --bare | grep -E "^${v//./\\.}\.[0-9]+$" | sort -V | tail -1)
    if [ -n "$p" ]; then echo "$(pyenv root)/versions/$p/bin/python$v"; return; fi
  fi
  echo "no CPython $v: install it (pyenv install $v) or put python$v on PATH" >&2
  return 1
}
