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
import re
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


def layout_problems(root: Path) -> list[str]:
    """Views and forms split into sibling modules (`views_x.py`, `forms_x.py`) instead of one package each."""
    found = []
    for app in APP_ORDER:
        folder = root / app
        if not folder.is_dir():
            continue
        if (folder / "views.py").exists():
            found.append(f"groupket/{app}/views.py belongs in a groupket/{app}/views/ package")
        for path in sorted(folder.glob("*.py")):
            kind = path.stem.partition("_")[0]
            if kind in {"views", "forms"} and path.stem != kind:
                found.append(f"groupket/{app}/{path.name} belongs in groupket/{app}/{kind}/")
    return found


def test_each_apps_views_are_one_package_and_its_forms_are_not_split_into_sibling_modules():
    assert layout_problems(ROOT) == []


def test_the_layout_check_finds_split_views_and_forms(tmp_path):
    root = _write(
        tmp_path / "groupket",
        {
            "privacy/views.py": "",
            "privacy/views_member.py": "",
            "staff/forms.py": "",
            "staff/forms_desk.py": "",
            "staff/views/__init__.py": "",
        },
    )
    assert layout_problems(root) == [
        "groupket/privacy/views.py belongs in a groupket/privacy/views/ package",
        "groupket/privacy/views_member.py belongs in groupket/privacy/views/",
        "groupket/staff/forms_desk.py belongs in groupket/staff/forms/",
    ]


# An inventory reference ("app_label.Model.field") taken apart by hand: `item.field.rsplit(".", 1)` and the like.
_HAND_PARSED_REFERENCE = re.compile(r"\.field\.(r?split|r?partition|startswith|endswith)\(")


def test_inventory_references_are_parsed_only_by_the_inventorys_item_path():
    """Every module reads an item's model and field through `Item.path` (privacy.inventory.ItemPath)."""
    found = [
        f"{module} line {number}"
        for module, path in sorted(module_files(ROOT).items())
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if _HAND_PARSED_REFERENCE.search(line)
    ]
    assert found == []


_QUERY_SHORTCUTS = {"get_object_or_404", "get_list_or_404"}


def _queried_models(tree: ast.Module, module: str) -> list[str]:
    """Models of another app that a module queries: `Model.objects`, `Model._default_manager`, get_object_or_404."""
    app = module.split(".")[1]
    foreign = {
        alias.asname or alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
        and (node.module or "").startswith("groupket.")
        and (node.module or "").split(".")[1] != app
        and ".models" in f"{node.module}."
        for alias in node.names
    }
    found = set()
    for node in ast.walk(tree):
        queried = None
        if isinstance(node, ast.Attribute) and node.attr in {"objects", "_default_manager"}:
            queried = node.value
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _QUERY_SHORTCUTS:
            queried = node.args[0] if node.args else None
        if isinstance(queried, ast.Name) and queried.id in foreign:
            found.add(queried.id)
    return sorted(found)


def cross_app_queries_in_views(root: Path) -> list[str]:
    """Views that query another app's models instead of calling that app's selectors."""
    return [
        f"{module} queries {', '.join(names)}"
        for module, path in sorted(module_files(root).items())
        if ".views" in f"{module}." and _app(module)
        for names in [_queried_models(ast.parse(path.read_text()), module)]
        if names
    ]


def test_views_read_other_apps_data_through_their_selectors():
    assert cross_app_queries_in_views(ROOT) == []


def test_the_selector_check_finds_a_view_querying_another_apps_model(tmp_path):
    root = _write(
        tmp_path / "groupket",
        {
            "__init__.py": "",
            "staff/__init__.py": "",
            "staff/models.py": "",
            "staff/views/__init__.py": "",
            "staff/views/members.py": (
                "from groupket.accounts.models import Member\n"
                "from groupket.privacy.models import RetainedRecord\n"
                "from groupket.staff.models import RoleGrant\n"
                "def page(pk):\n"
                "    RoleGrant.objects.all()\n"
                "    get_object_or_404(RetainedRecord, pk=pk)\n"
                "    return Member.objects.filter(pk=pk)\n"
            ),
            "staff/views/safe.py": "from groupket.accounts.models import Member\ndef kind(m: Member):\n    return m\n",
        },
    )
    assert cross_app_queries_in_views(root) == ["groupket.staff.views.members queries Member, RetainedRecord"]


def _cuts_markup(node: ast.AST) -> bool:
    """`page.split('<div class="x">')`, `html.split(f'data-cookie="{name}"')`: HTML cut at a piece of markup."""
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "split"):
        return False
    if not node.args:
        return False
    pieces = [node.args[0]] if isinstance(node.args[0], ast.Constant) else getattr(node.args[0], "values", [])
    literal = "".join(piece.value for piece in pieces if isinstance(getattr(piece, "value", None), str))
    return literal.startswith("<") or re.search(r'[\w-]+="', literal) is not None


def pages_cut_by_hand(root: Path) -> list[str]:
    """Test lines that take a page apart with str.split instead of tests/markup.py's parser."""
    return [
        f"{path.relative_to(root)} line {node.lineno}"
        for path in sorted(root.rglob("*.py"))
        if path.name != "markup.py"
        for node in ast.walk(ast.parse(path.read_text()))
        if _cuts_markup(node)
    ]


def test_tests_read_pages_with_the_markup_parser_not_str_split():
    assert pages_cut_by_hand(Path(__file__).parent) == []


def test_the_markup_check_finds_a_page_cut_by_hand(tmp_path):
    (tmp_path / "test_page.py").write_text(
        "def body(html, name):\n"
        "    first = html.split('<div class=\"post-body\">', 1)[1]\n"
        "    row = html.split(f'data-cookie=\"{name}\"')[1]\n"
        "    words = 'a b'.split(' ')\n"
        "    return first, row, words, 'x,y'.split(',')\n"
    )
    assert pages_cut_by_hand(tmp_path) == ["test_page.py line 2", "test_page.py line 3"]
