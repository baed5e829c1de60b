"""Services import tasks at module level, and tasks import services inside their functions (issue 17).

The Django-Styleguide's rule: a service enqueues a task (`transaction.on_commit(lambda: task.delay(...))`), so it
imports the tasks module at module level; a task is a thin wrapper that calls a service, and imports it inside the
task function, so that the two modules never wait for each other at import. Constants the task decorators read
(`mission.tasks.MAX_DELIVERY_ATTEMPTS`) live in the tasks module, which both import.

So: no module of ours imports a tasks module inside a function, and no tasks module imports a module of our apps at
module level (only `config`, the standard library and third parties).
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ("academies", "trainees", "mission")


def _imports(node: ast.AST, package: list[str]) -> list[tuple[str, int]]:
    """The absolute names a statement imports (a `from x import y` gives `x` and `x.y`), with its line."""
    if isinstance(node, ast.Import):
        return [(alias.name, node.lineno) for alias in node.names]
    if not isinstance(node, ast.ImportFrom):
        return []
    base = package[: len(package) - node.level + 1] if node.level else []
    module = ".".join([*base, *(node.module.split(".") if node.module else [])])
    return [(module, node.lineno)] + [(f"{module}.{alias.name}", node.lineno) for alias in node.names]


def _scan(path: Path, root: Path) -> tuple[list[tuple[str, int]], list[tuple[str, int]]]:
    """The imports of a module at its top level (outside any function) and inside its functions."""
    relative = path.relative_to(root).with_suffix("")
    package = list(relative.parts if relative.name == "__init__" else relative.parts[:-1])
    package = [part for part in package if part != "__init__"]
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    top, inner = [], []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            (inner if in_function else top).extend(_imports(child, package))
            visit(child, in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda))

    visit(tree, False)
    return top, inner


def _is_tasks_module(name: str) -> bool:
    return name.split(".")[0] in APPS and name.split(".")[-1] == "tasks"


def wrong_way_imports(root: Path = ROOT) -> list[str]:
    found = []
    for app in APPS:
        for path in sorted((root / app).rglob("*.py")):
            relative = path.relative_to(root).as_posix()
            if "migrations" in path.relative_to(root).parts:
                continue
            top, inner = _scan(path, root)
            if path.name == "tasks.py":
                found += [f"{relative}:{line} imports {name} at module level" for name, line in top
                          if name.split(".")[0] in APPS]  # fmt: skip
            else:
                found += [f"{relative}:{line} imports {name} inside a function" for name, line in inner
                          if _is_tasks_module(name)]  # fmt: skip
    return sorted(set(found))


def test_services_import_tasks_at_module_level_and_tasks_import_services_lazily():
    assert wrong_way_imports() == []


def test_the_services_that_enqueue_tasks_import_them_at_module_level():
    enqueuers = {"academies/events.py": "academies.tasks", "academies/webhooks/delivery.py": "academies.tasks",
                 "mission/services/dispatch.py": "mission.tasks", "mission/receivers.py": "mission.tasks"}  # fmt: skip
    for module, tasks in enqueuers.items():
        top, _inner = _scan(ROOT / module, ROOT)
        assert tasks in {name for name, _line in top}, module


def test_the_check_catches_both_wrong_ways(tmp_path):
    (tmp_path / "mission" / "services").mkdir(parents=True)
    (tmp_path / "trainees").mkdir()
    (tmp_path / "academies").mkdir()
    (tmp_path / "mission" / "tasks.py").write_text(
        "from config import clock\nfrom . import services\n\ndef task():\n    from .services import run\n"
    )
    (tmp_path / "mission" / "services" / "dispatch.py").write_text(
        "from ..tasks import MAX_RETRIES\n\ndef enqueue():\n    from ..tasks import send\n"
        "    from mission import tasks\n"
    )
    (tmp_path / "trainees" / "tasks.py").write_text("def task():\n    from trainees.services import run\n")
    (tmp_path / "academies" / "tasks.py").write_text("import academies.events\n")
    (tmp_path / "academies" / "events.py").write_text("def enqueue():\n    from .tasks import publish\n")
    assert wrong_way_imports(tmp_path) == [
        "academies/events.py:2 imports academies.tasks inside a function",
        "academies/tasks.py:1 imports academies.events at module level",
        "mission/services/dispatch.py:4 imports mission.tasks inside a function",
        "mission/services/dispatch.py:5 imports mission.tasks inside a function",
        "mission/tasks.py:2 imports mission at module level",
        "mission/tasks.py:2 imports mission.services at module level",
    ]
