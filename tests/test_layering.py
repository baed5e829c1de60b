"""Apps depend only downward: academies ← trainees ← mission. A lower app never imports a higher one."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ["academies", "trainees", "mission"]


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    modules = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules.add(node.module)
    return modules


def upward_imports(app: str, root: Path = ROOT) -> list[str]:
    higher = LAYERS[LAYERS.index(app) + 1 :]
    found = []
    for path in sorted((root / app).rglob("*.py")):
        for module in sorted(imported_modules(path)):
            if module.split(".")[0] in higher:
                found.append(f"{path.relative_to(root)} imports {module}")
    return found


@pytest.mark.parametrize("app", LAYERS[:-1])
def test_lower_app_does_not_import_a_higher_one(app):
    assert upward_imports(app) == []


def test_the_check_catches_an_upward_import(tmp_path):
    (tmp_path / "academies").mkdir()
    (tmp_path / "academies" / "bad.py").write_text("from mission.models import Target\nimport trainees.services\n")
    assert upward_imports("academies", root=tmp_path) == [
        "academies/bad.py imports mission.models",
        "academies/bad.py imports trainees.services",
    ]
