"""The layers hold (STYLE.md; issue 10 point 1): no import cycle in course_app, no model that
imports a service, and services that speak no HTTP. Walks the source, so a new module is
checked the day it is written."""
import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2] / "course_app"


def module_name(path):
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


MODULES = {module_name(path): path for path in ROOT.rglob("*.py")}


def imported(module, path, node):
    """The course_app modules (or packages) an import statement names."""
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if node.level:
        base = package.split(".")[:len(package.split(".")) - node.level + 1]
        target = ".".join(base + ([node.module] if node.module else []))
    else:
        target = node.module or ""
    return [f"{target}.{a.name}" if f"{target}.{a.name}" in MODULES else target for a in node.names]


def imports_of(module, top_level_only):
    path = MODULES[module]
    tree = ast.parse(path.read_text(), str(path))
    nodes = tree.body if top_level_only else ast.walk(tree)
    for node in nodes:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield from (name for name in imported(module, path, node) if name.startswith("course_app"))


def cycles(graph):
    """Strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in graph[node]:
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in graph:
        if node not in index:
            visit(node)
    return found


def test_course_app_has_no_import_cycle():
    graph = {module: {name for name in imports_of(module, top_level_only=True)
                      if name in MODULES and name != module} for module in MODULES}
    assert cycles(graph) == []


def test_the_cycle_finder_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_model_imports_a_service():
    found = [(module, name) for module in MODULES if module.startswith("course_app.models")
             for name in imports_of(module, top_level_only=False)
             if name.startswith("course_app.services")]
    assert found == []


HTTP_NAMES = {"request", "session", "abort", "flash", "redirect", "render_template", "url_for",
              "make_response", "g"}


def test_services_speak_no_http_and_leave_the_transaction_to_the_caller():
    """Services take plain arguments, raise domain errors (NotFound, Forbidden, DomainError) and
    flush; the view or CLI command commits, and the app turns NotFound into 404 (errors.py)."""
    found = []
    for module, path in MODULES.items():
        if not module.startswith("course_app.services"):
            continue
        tree = ast.parse(path.read_text(), str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module in ("flask", "flask_login", "werkzeug.exceptions"):
                found += [f"{module}: imports {a.name}" for a in node.names
                          if a.name in HTTP_NAMES or a.name == "current_user" or node.module == "werkzeug.exceptions"]
            if isinstance(node, ast.Attribute) and (node.attr.endswith("_or_404") or node.attr in ("commit", "rollback")):
                found.append(f"{module}:{node.lineno}: .{node.attr}")
            if isinstance(node, ast.FunctionDef) and node.name.endswith("_or_404"):
                found.append(f"{module}:{node.lineno}: def {node.name}")
    assert found == []
