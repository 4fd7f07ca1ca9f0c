"""The binding's modules import one another one way: no cycle, counting the imports inside
functions too (a function-local import only hides a cycle from Python's start-up, not from the
reader). Read from the sources with ast; nothing is imported."""
import ast
import os

PACKAGE = os.path.join(os.path.dirname(__file__), "..", "..", "..", "bindings", "python", "pinetl")


def _imports(path, name):
    """The pinetl modules that module `name` imports anywhere in its source (relative or
    absolute)."""
    out = set()
    with open(path, encoding="utf-8") as f:
        tree = ast.parse(f.read(), path)
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level == 1:
                if node.module:
                    out.add(node.module.split(".")[0])
                else:
                    out.update(a.name for a in node.names)   # from . import pandas
            elif node.level == 0 and (node.module or "").startswith("pinetl."):
                out.add(node.module.split(".")[1])
        elif isinstance(node, ast.Import):
            out.update(a.name.split(".")[1] for a in node.names if a.name.startswith("pinetl."))
    out.discard(name)
    return out


def _graph():
    names = [f[:-3] for f in os.listdir(PACKAGE) if f.endswith(".py") and f != "__init__.py"]
    return {n: _imports(os.path.join(PACKAGE, n + ".py"), n) & set(names) for n in names}


def _cycle(graph):
    """One import cycle as a list of modules (first repeated last), or None."""
    state = {}

    def visit(node, path):
        state[node] = "open"
        for dep in sorted(graph[node]):
            if state.get(dep) == "open":
                return path[path.index(dep):] + [dep] if dep in path else [node, dep, node]
            if dep not in state:
                found = visit(dep, path + [dep])
                if found:
                    return found
        state[node] = "done"
        return None

    for start in sorted(graph):
        if start not in state:
            found = visit(start, [start])
            if found:
                return found
    return None


def test_binding_modules_import_without_a_cycle_counting_function_local_imports():
    graph = _graph()
    assert "_columns" in graph and "_arrow" in graph, sorted(graph)
    cycle = _cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


def test_cycle_finder_sees_a_cycle():
    # The finder itself, on the shape the binding had: _arrow -> _clean -> _columns -> _arrow.
    graph = {"_arrow": {"_clean"}, "_clean": {"_columns"}, "_columns": {"_arrow"}, "_ffi": set()}
    assert _cycle(graph) == ["_arrow", "_clean", "_columns", "_arrow"]
