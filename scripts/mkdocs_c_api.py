"""MkDocs hook: the C API reference, generated from the public headers' own comments.

The headers (libpinetl/include/pinetl/*.h) are commented in SQLite's style, with plain `/* */`
comments above each declaration rather than Doxygen's `/**`. Clang reads them as they are: with
`-fparse-all-comments` it attaches every comment to the declaration that follows it, so this hook
parses each header with libclang (the `libclang` wheel from PyPI, LLVM's own Python bindings) and
writes one page per header: the header's opening comment, then each declaration's source and
comment in header order. pinetl.h's opening comment (the API convention) opens the index page.

Pages are generated in memory at build time (reference/c/<header>.md); nothing is written to the
tree. A header without an entry in mkdocs.yml's nav, or a nav entry without a header, fails the
build, so the reference cannot silently miss a header.
"""

from __future__ import annotations

import pathlib
import re
import subprocess

import clang.cindex as ci
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File

ROOT = pathlib.Path(__file__).resolve().parent.parent
HEADERS = ROOT / "libpinetl" / "include" / "pinetl"
PAGES = "reference/c"
# pinetl.h only includes the others (its comment opens the index); export.h defines PINETL_API.
NOT_PAGES = {"pinetl.h", "export.h"}

_KINDS = {
    ci.CursorKind.FUNCTION_DECL: "function",
    ci.CursorKind.TYPEDEF_DECL: "type",
    ci.CursorKind.STRUCT_DECL: "struct",
    ci.CursorKind.ENUM_DECL: "enum",
    ci.CursorKind.MACRO_DEFINITION: "macro",
    ci.CursorKind.VAR_DECL: "variable",
}


def _compiler_include_dir() -> list[str]:
    """The C compiler's own headers (stddef.h, stdint.h): the libclang wheel has none."""
    try:
        out = subprocess.run(["cc", "-print-file-name=include"], capture_output=True, text=True,
                             check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return []
    return ["-isystem", out] if out and out != "include" else []


def _comment_text(raw: str) -> str:
    """The prose of a /* */ comment: markers and the leading ` * ` of each line removed."""
    body = raw.strip()
    body = re.sub(r"^/\*+", "", body)
    body = re.sub(r"\*+/$", "", body)
    lines = [re.sub(r"^\s*\* ?", "", line) for line in body.splitlines()]
    return "\n".join(lines).strip()


def _opening_comment(text: str) -> str:
    m = re.match(r"\s*(/\*.*?\*/)", text, re.S)
    return _comment_text(m.group(1)) if m else ""


def _prose(comment: str) -> str:
    """A comment as Markdown prose (its `- ` lists become lists): outside `code` spans, `*` (a
    pointer, a product) and `<` are literal, not emphasis or HTML."""
    parts = re.split(r"(`[^`]*`)", comment)
    for i in range(0, len(parts), 2):
        parts[i] = parts[i].replace("*", r"\*").replace("<", "&lt;").replace(">", "&gt;")
    return "".join(parts)


def _parse(path: pathlib.Path, extra: list[str]) -> ci.TranslationUnit:
    args = ["-x", "c", "-std=c11", "-fparse-all-comments", f"-I{HEADERS}",
            "-DPINETL_VERSION_H"] + extra  # version.h is generated at build time: not needed here
    opts = ci.TranslationUnit.PARSE_DETAILED_PROCESSING_RECORD | \
        ci.TranslationUnit.PARSE_SKIP_FUNCTION_BODIES
    tu = ci.Index.create().parse(str(path), args=args, options=opts)
    errors = [d for d in tu.diagnostics if d.severity >= ci.Diagnostic.Error]
    if errors:
        raise PluginError(f"C API reference: {path.name}: " + "; ".join(map(str, errors)))
    return tu


def header_page(path: pathlib.Path, extra: list[str]) -> str:
    """The Markdown page of one public header."""
    text = path.read_text()
    data = text.encode()
    tu = _parse(path, extra)
    guard = re.search(r"#ifndef (\w+)", text)
    decls = []
    for c in tu.cursor.get_children():
        if c.kind not in _KINDS or not c.location.file or \
                pathlib.Path(c.location.file.name).resolve() != path.resolve():
            continue
        if c.kind == ci.CursorKind.MACRO_DEFINITION and guard and c.spelling == guard.group(1):
            continue
        decls.append((c.extent.start.offset, c.extent.end.offset, c))
    decls.sort(key=lambda d: (d[0], -d[1]))
    out = [f"# `<pinetl/{path.name}>`", "", _prose(_opening_comment(text)), ""]
    end = -1
    for start, stop, c in decls:
        if start < end:  # inside a declaration already shown (the struct of a typedef)
            continue
        end = stop
        source = data[start:stop].decode().replace("PINETL_API ", "")
        if c.kind == ci.CursorKind.MACRO_DEFINITION:
            source = "#define " + source
        elif not source.rstrip().endswith(";"):
            source += ";"
        name = c.spelling
        if c.kind == ci.CursorKind.ENUM_DECL and (not name or "unnamed" in name):
            names = [e.spelling for e in c.get_children()]
            name = names[0] if names else "enum"
        out += [f"### `{name}`", "", "```c", source, "```", ""]
        comment = _comment_text(c.raw_comment) if c.raw_comment else ""
        if comment:
            out += [_prose(comment), ""]
    return "\n".join(out)


def index_page(headers: list[pathlib.Path]) -> str:
    out = ["# C API", "", "Generated from the comments of `libpinetl/include/pinetl/*.h` when the",
           "site is built. Include one header, `<pinetl/pinetl.h>`; link with",
           "`pkg-config --cflags --libs pinetl`.", "", "## The API convention", "",
           _prose(_opening_comment((HEADERS / "pinetl.h").read_text())), "", "## Headers", ""]
    for h in headers:
        first = re.split(r"\.(?:\s|$)", _opening_comment(h.read_text()))[0].replace("\n", " ")
        out.append(f"- [`<pinetl/{h.name}>`]({h.stem}.md): {_prose(first)}.")
    return "\n".join(out) + "\n"


def _nav_paths(nav) -> set[str]:
    found = set()
    if isinstance(nav, str):
        found.add(nav)
    elif isinstance(nav, dict):
        for v in nav.values():
            found |= _nav_paths(v)
    elif isinstance(nav, list):
        for v in nav:
            found |= _nav_paths(v)
    return found


def on_files(files, config):
    headers = sorted(h for h in HEADERS.glob("*.h") if h.name not in NOT_PAGES)
    extra = _compiler_include_dir()
    pages = {f"{PAGES}/index.md": index_page(headers)}
    for h in headers:
        pages[f"{PAGES}/{h.stem}.md"] = header_page(h, extra)
    in_nav = {p for p in _nav_paths(config["nav"] or []) if p.startswith(PAGES + "/")}
    if in_nav != set(pages):
        raise PluginError("C API reference: mkdocs.yml's nav and the headers differ: "
                          f"not in nav {sorted(set(pages) - in_nav)}, "
                          f"no header {sorted(in_nav - set(pages))}")
    for uri, content in pages.items():
        files.append(File.generated(config, uri, content=content))
    return files
