#!/usr/bin/python3
"""The Python side's layers point one way: the binding `pinetl` never imports the pipeline
`pinetl_pipeline` (which imports pinetl, through its public modules only: never a private
`pinetl._x`), and neither package has an import cycle between its modules. Every import statement counts, also one inside a function (a function-local import
hides a cycle from Python's loader until the function runs, not from this test).

Usage: test_layers_python.py   (run from the project root; standard library only: it parses
the sources with ast, it imports nothing of them.) It first checks itself on small made-up
packages, so that a checker that sees nothing cannot pass."""
import ast
import os
import sys
import tempfile

from test_layers import cycles  # the C side's Tarjan: one implementation

ROOT = "bindings/python"
BINDING, PIPELINE = "pinetl", "pinetl_pipeline"
# (lower, higher): lower never imports higher.
ONE_WAY = [(BINDING, PIPELINE)]


def modules(root, packages):
    """{module name: path} of every .py file of the packages under root."""
    out = {}
    for pkg in packages:
        for dirpath, dirs, files in os.walk(os.path.join(root, pkg)):
            dirs.sort()
            rel = os.path.relpath(dirpath, root).replace(os.sep, ".")
            for f in sorted(files):
                if f.endswith(".py"):
                    name = rel if f == "__init__.py" else f"{rel}.{f[:-3]}"
                    out[name] = os.path.join(dirpath, f)
    return out


def imports(name, path, known):
    """[(imported module, line)]: every import in the file, function-local ones included,
    resolved to the known modules it names (`from pkg import sub` names pkg.sub when that is a
    module, else pkg)."""
    is_pkg = path.endswith("__init__.py")
    with open(path, encoding="utf-8") as f:
        tree = ast.parse(f.read(), path)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                found.append((a.name, node.lineno))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".")
                base = base[:len(base) - node.level + (1 if is_pkg else 0)]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module
            for a in node.names:
                sub = f"{mod}.{a.name}"
                found.append((sub if sub in known else mod, node.lineno))
    out = []
    for mod, line in found:
        # `import a.b.c` names a.b.c; keep the longest known prefix.
        parts = mod.split(".")
        while parts and ".".join(parts) not in known:
            parts.pop()
        if parts:
            out.append((".".join(parts), line))
    return out


def package_of(module):
    return module.split(".")[0]


def check(root, packages, one_way):
    """The problems found, one line each."""
    known = modules(root, packages)
    problems, graph = [], {}
    for name, path in sorted(known.items()):
        for target, line in imports(name, path, known):
            for low, high in one_way:
                if package_of(name) == low and package_of(target) == high:
                    problems.append(f"{path}:{line}: {name} imports {target}: {low} must never "
                                    f"import {high}")
            private = [p for p in target.split(".")[1:] if p.startswith("_")]
            if package_of(target) != package_of(name) and private:
                problems.append(f"{path}:{line}: {name} imports {target}: another package's "
                                f"private module (use its public API)")
            # Cycles inside one package. A module's own package (__init__) is loaded before it
            # anyway, so an import of a parent package is not an edge.
            if package_of(target) == package_of(name) and not name.startswith(target + "."):
                graph.setdefault(name, set()).add(target)
    for comp in cycles(graph):
        problems.append(f"import cycle: {' -> '.join(comp)} (each imports another of them, "
                        f"function-local imports included)")
    return problems, known


def self_check():
    """The checker finds a binding-to-pipeline import, a cycle hidden in a function and a clean
    tree clean: otherwise it could pass by seeing nothing."""
    files = {
        "low/__init__.py": "from .a import f\n",
        "low/a.py": "from . import b\ndef f():\n    return b\n",
        "low/b.py": "def g():\n    from .a import f\n    import high.x\n    return f\n",
        "high/__init__.py": "",
        "high/x.py": "import low\nfrom low import a\n",
        "high/y.py": "def h():\n    from low._p import q\n    return q\n",
        "low/_p.py": "q = 1\n",
    }
    with tempfile.TemporaryDirectory() as d:
        for rel, text in files.items():
            os.makedirs(os.path.join(d, os.path.dirname(rel)), exist_ok=True)
            with open(os.path.join(d, rel), "w", encoding="utf-8") as f:
                f.write(text)
        problems, _ = check(d, ["low", "high"], [("low", "high")])
        want = ["low.b imports high.x", "import cycle: low.a -> low.b",
                "high.y imports low._p: another package's private module"]
        for w in want:
            if not any(w in p for p in problems):
                return [f"self-check: the checker missed '{w}' (found: {problems})"]
        if len(problems) != len(want):
            return [f"self-check: unexpected problems {problems}"]
        os.remove(os.path.join(d, "high/y.py"))
        os.remove(os.path.join(d, "low/b.py"))
        with open(os.path.join(d, "low/b.py"), "w", encoding="utf-8") as f:
            f.write("def g():\n    return 1\n")
        problems, _ = check(d, ["low", "high"], [("low", "high")])
        if problems:
            return [f"self-check: a clean tree gave {problems}"]
    return []


def main():
    problems = self_check()
    found, known = check(ROOT, [BINDING, PIPELINE], ONE_WAY)
    problems += found
    if not any(package_of(m) == PIPELINE for m in known) or \
            not any(package_of(m) == BINDING for m in known):
        problems.append(f"no modules of {BINDING} and {PIPELINE} under {ROOT}: run from the "
                        f"project root")
    for p in problems:
        print(p, file=sys.stderr)
    print(f"{len(known)} modules checked, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
