#!/usr/bin/env python3
"""Turns pinetl's public headers into a CFFI cdef, so the binding cannot drift from the C API.

usage: gen_cdef.py OUT.h HEADER [HEADER ...]

The first HEADER is the umbrella header (pinetl.h); the others are every header it may include
(found by file name, so generated headers such as version.h can live in the build tree). Headers are
emitted in include order, each once. A tiny preprocessor handles what the headers use: include
guards, #ifdef __cplusplus blocks, #if defined(...) / #else, the PINETL_API export macro (removed)
and integer #defines (kept; CFFI checks them against the real values at build time). Anything else
in a preprocessor line, such as a function-like macro, is an error: CFFI could not call it.
"""
import os
import re
import sys

API_TOKEN = "PINETL_API"
_INCLUDE_RE = re.compile(r'#\s*include\s*([<"])([^>"]+)[>"]')
_DEFINE_RE = re.compile(r"#\s*define\s+([A-Za-z_]\w*)(\([^)]*\))?\s*(.*)$")
_INT_RE = re.compile(r"^\(?\s*-?\s*(0[xX][0-9a-fA-F]+|\d+)[uUlL]*\s*\)?$")


class HeaderError(Exception):
    pass


def _join_continuations(text):
    return re.sub(r"\\\n", " ", text)


def _strip_comments(text):
    # Keeps string literals intact; comments become a space (or newlines, to keep line numbers).
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            out.append(text[i:j + 1])
            i = j + 1
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            if j < 0:
                raise HeaderError("unterminated comment")
            out.append(" " + "\n" * text.count("\n", i, j))
            i = j + 2
        elif text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
        else:
            out.append(c)
            i += 1
    return "".join(out)


class _Preprocessor:
    def __init__(self, headers):
        self.by_name = {}
        for path in headers:
            self.by_name.setdefault(os.path.basename(path), path)
        self.defined = {}   # name -> value text ('' when none)
        self.done = set()
        self.out = []

    def _eval_condition(self, expr, where):
        expr = re.sub(r"defined\s*\(\s*(\w+)\s*\)|defined\s+(\w+)",
                      lambda m: "1" if (m.group(1) or m.group(2)) in self.defined else "0", expr)
        expr = expr.replace("&&", " and ").replace("||", " or ")
        expr = re.sub(r"!(?!=)", " not ", expr)
        # Remaining identifiers are undefined macros, which the preprocessor reads as 0.
        expr = re.sub(r"\b[A-Za-z_]\w*\b",
                      lambda m: m.group(0) if m.group(0) in ("and", "or", "not") else
                      self.defined.get(m.group(0), "0") or "0", expr)
        for token in re.findall(r"\w+|[^\w\s]+", expr):
            if not (token.isdigit() or token in ("and", "or", "not", "(", ")", "==", "!=", "<",
                                                 ">", "<=", ">=", "+", "-", "*")):
                raise HeaderError(f"{where}: cannot evaluate #if {expr!r}")
        return bool(eval(expr, {"__builtins__": {}}, {}))  # noqa: S307 (digits and operators only)

    def run(self, name, where="command line"):
        if name in self.done:
            return
        path = self.by_name.get(name)
        if path is None:
            raise HeaderError(f"{where}: header {name!r} is not among the headers given")
        self.done.add(name)
        with open(path, encoding="utf-8") as f:
            text = _strip_comments(_join_continuations(f.read()))
        stack = []  # per open #if: [this branch active, some branch taken, parent active]
        active = True
        for lineno, line in enumerate(text.split("\n"), 1):
            here = f"{path}:{lineno}"
            stripped = line.strip()
            if not stripped.startswith("#"):
                if active and stripped:
                    self.out.append(re.sub(r"\b" + API_TOKEN + r"\b\s*", "", line).rstrip())
                continue
            directive = stripped[1:].strip()
            word = re.match(r"\w*", directive).group(0)
            rest = directive[len(word):].strip()
            if word in ("ifdef", "ifndef", "if"):
                if word == "ifdef":
                    cond = rest in self.defined
                elif word == "ifndef":
                    cond = rest not in self.defined
                else:
                    cond = self._eval_condition(rest, here) if active else False
                stack.append([active and cond, cond, active])
                active = active and cond
            elif word == "elif":
                if not stack:
                    raise HeaderError(f"{here}: #elif without #if")
                top = stack[-1]
                cond = (not top[1]) and top[2] and self._eval_condition(rest, here)
                top[0] = top[2] and cond
                top[1] = top[1] or cond
                active = top[0]
            elif word == "else":
                if not stack:
                    raise HeaderError(f"{here}: #else without #if")
                top = stack[-1]
                top[0] = top[2] and not top[1]
                top[1] = True
                active = top[0]
            elif word == "endif":
                if not stack:
                    raise HeaderError(f"{here}: #endif without #if")
                active = stack.pop()[2]
            elif not active:
                continue
            elif word == "include":
                m = _INCLUDE_RE.match(stripped)
                if not m:
                    raise HeaderError(f"{here}: cannot read {stripped!r}")
                if m.group(1) == '"':
                    self.run(os.path.basename(m.group(2)), here)
                # <system> headers: CFFI knows the standard types (size_t, int64_t, ...).
            elif word == "define":
                m = _DEFINE_RE.match(stripped)
                if not m:
                    raise HeaderError(f"{here}: cannot read {stripped!r}")
                macro, params, value = m.group(1), m.group(2), m.group(3).strip()
                if params is not None:
                    raise HeaderError(f"{here}: function-like macro {macro} cannot be bound by CFFI")
                self.defined[macro] = value
                if macro != API_TOKEN and _INT_RE.match(value):
                    self.out.append(f"#define {macro} {value}")
                # Other object-like macros (guards, strings, the export macro) are dropped.
            elif word == "undef":
                self.defined.pop(rest, None)
            elif word in ("pragma", "error", "warning", ""):
                if word == "error":
                    raise HeaderError(f"{here}: {stripped}")
            else:
                raise HeaderError(f"{here}: unsupported directive {stripped!r}")
        if stack:
            raise HeaderError(f"{path}: unterminated #if")


def make_cdef(umbrella, headers):
    pp = _Preprocessor([umbrella, *headers])
    pp.run(os.path.basename(umbrella))
    text = "\n".join(pp.out) + "\n"
    if 'extern "C"' in text:
        raise HeaderError('an extern "C" block escaped its #ifdef __cplusplus guard')
    return text


def main(argv):
    if len(argv) < 3:
        sys.stderr.write(__doc__)
        return 2
    out, umbrella, headers = argv[1], argv[2], argv[3:]
    try:
        text = make_cdef(umbrella, headers)
    except (HeaderError, OSError) as e:
        sys.stderr.write(f"gen_cdef: {e}\n")
        return 1
    with open(out, "w", encoding="utf-8") as f:
        f.write("/* Generated by gen_cdef.py from pinetl's public headers. Do not edit. */\n")
        f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
