"""The app order and no import cycles, read from the source (every import, also inside function bodies).

The rule that keeps background work free of cycles, in every app:
- A service changes state and, after commit, enqueues a task: `enqueue(tasks.some_task, id)` with
  `groupket.core.tasks.enqueue`, importing the app's `tasks` module at the top.
- `tasks.py` holds only the Celery tasks; each calls a delivery function (`emails.py`, `delivery/`) and
  imports nothing else of its app.
- Delivery code imports models (and tokens, the guard, selectors, the inventory), never a service, a
  task or a form. What a task needs to build its mail (a signed token, a label) lives beside the models
  (`tokens.py`, `models.py`), not in a service or a forms module.
So the imports run services -> tasks -> delivery -> models, one way.

The apps, each importing only from the apps before it: core <- privacy <- accounts <- staff <- spaces <-
moderation <- orders <- analytics. groupket/settings.py, urls.py, views.py, celery.py, environment.py,
wsgi.py are project wiring: they may import any app, and no app imports them.
"""

import ast
from pathlib import Path

import groupket

APP_ORDER = ["core", "privacy", "accounts", "staff", "spaces", "moderation", "orders", "analytics"]
ROOT = Path(groupket.__file__).parent


def module_files(root: Path) -> dict[str, Path]:
    """Every module of the package at `root`, by dotted name; migrations are left out (Django imports them)."""
    modules = {}
    for path in root.rglob("*.py"):
        if "migrations" in path.relative_to(root).parts:
            continue
        parts = [root.name, *path.relative_to(root).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts.pop()
        modules[".".join(parts)] = path
    return modules


def _known(name: str, modules: dict[str, Path]) -> str | None:
    """The module `name` is, or is in (an imported function's module); None outside the package."""
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name or None


def _targets(node: ast.Import | ast.ImportFrom, module: str, is_package: bool, modules: dict[str, Path]) -> set[str]:
    """The package's modules one import statement imports."""
    if isinstance(node, ast.Import):
        return {found for alias in node.names if (found := _known(alias.name, modules))}
    source = node.module or ""
    if node.level:
        base = (module if is_package else module.rpartition(".")[0]).split(".")
        source = ".".join([*base[: len(base) - node.level + 1], *([node.module] if node.module else [])])
    # `from package import module` imports that module; `from module import name`, the module itself.
    targets = set()
    for alias in node.names:
        found = f"{source}.{alias.name}" if f"{source}.{alias.name}" in modules else _known(source, modules)
        if found:
            targets.add(found)
    return targets


def import_graph(root: Path) -> dict[str, set[str]]:
    """Which of the package's modules each module imports, anywhere in its body."""
    modules = module_files(root)
    graph = {}
    for module, path in modules.items():
        is_package = path.name == "__init__.py"
        targets = set()
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Import | ast.ImportFrom):
                targets |= _targets(node, module, is_package, modules)
        graph[module] = targets - {module}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in graph.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def _app(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in APP_ORDER else None


def order_violations(graph: dict[str, set[str]]) -> list[str]:
    """Imports of a later app, or of project wiring, by an app's module."""
    wrong = []
    for module, targets in graph.items():
        app = _app(module)
        if app is None:
            continue  # project wiring
        for target in sorted(targets):
            target_app = _app(target)
            if target_app is None or APP_ORDER.index(target_app) > APP_ORDER.index(app):
                wrong.append(f"{module} imports {target}")
    return sorted(wrong)


def test_no_module_of_groupket_is_in_an_import_cycle():
    assert cycles(import_graph(ROOT)) == []


def test_each_app_imports_only_the_apps_before_it():
    graph = import_graph(ROOT)
    assert {_app(module) for module in graph} >= {"core", "privacy", "accounts", "staff", "spaces"}
    assert order_violations(graph) == []


def _write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def test_the_check_finds_a_cycle_hidden_in_a_function_body(tmp_path):
    root = _write(
        tmp_path / "groupket",
        {
            "__init__.py": "",
            "accounts/__init__.py": "",
            "accounts/services.py": "from groupket.accounts import tasks\n",
            "accounts/tasks.py": "def run():\n    from .services import sign_up\n",
            "accounts/emails.py": "from groupket.accounts.models import Member\n",
            "accounts/models.py": "",
            "accounts/migrations/0001_initial.py": "from groupket.accounts import emails\n",
        },
    )
    assert cycles(import_graph(root)) == [["groupket.accounts.services", "groupket.accounts.tasks"]]


def test_the_check_finds_an_import_against_the_app_order(tmp_path):
    root = _write(
        tmp_path / "groupket",
        {
            "__init__.py": "",
            "urls.py": "from groupket.spaces import views\n",
            "core/__init__.py": "",
            "core/mail.py": "def send():\n    import groupket.privacy.inventory\n",
            "privacy/__init__.py": "",
            "privacy/inventory.py": "from groupket.core import mail\n",
            "spaces/__init__.py": "",
            "spaces/views.py": "from groupket import urls\n",
        },
    )
    assert order_violations(import_graph(root)) == [
        "groupket.core.mail imports groupket.privacy.inventory",
        "groupket.spaces.views imports groupket.urls",
    ]
