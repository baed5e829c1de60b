"""Apps depend only downward: config ← academies ← trainees ← mission. A lower layer never imports a higher one.

`config` is the ground floor: settings and generic machinery (the API's pagination, parsers, renderers, conditional
requests, the admin's generic helpers, the clock, logging). It imports no app, except its composition roots, which
wire the apps together and are listed below with their reason.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ["config", "academies", "trainees", "mission"]

# The only modules of a layer that may import a higher one, each with why. Keep it short: anything else that
# needs an app belongs in the app (the partner machinery is `academies.partners`, the scoped admin
# `academies.admin_scope`).
COMPOSITION_ROOTS = {
    "config/urls.py": "the project's URLconf mounts each app's pages (single sign-on, account pages)",
    "config/api_router.py": "the API's router registers each app's viewsets and the API-key security scheme",
}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    modules = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules.add(node.module)
    return modules


def upward_imports(app: str, root: Path = ROOT, allowed: dict[str, str] = COMPOSITION_ROOTS) -> list[str]:
    higher = LAYERS[LAYERS.index(app) + 1 :]
    found = []
    for path in sorted((root / app).rglob("*.py")):
        relative = path.relative_to(root).as_posix()
        if relative in allowed:
            continue
        for module in sorted(imported_modules(path)):
            if module.split(".")[0] in higher:
                found.append(f"{relative} imports {module}")
    return found


@pytest.mark.parametrize("app", LAYERS[:-1])
def test_lower_app_does_not_import_a_higher_one(app):
    assert upward_imports(app) == []


def test_every_composition_root_exists_and_has_a_reason():
    for path, reason in COMPOSITION_ROOTS.items():
        assert (ROOT / path).is_file(), f"{path} is allow-listed but gone: drop it from COMPOSITION_ROOTS"
        assert reason.strip()


def test_the_check_catches_an_upward_import(tmp_path):
    (tmp_path / "academies").mkdir()
    (tmp_path / "academies" / "bad.py").write_text("from mission.models import Target\nimport trainees.services\n")
    assert upward_imports("academies", root=tmp_path) == [
        "academies/bad.py imports mission.models",
        "academies/bad.py imports trainees.services",
    ]


def test_the_check_catches_config_importing_any_app_outside_its_composition_roots(tmp_path):
    (tmp_path / "config" / "api").mkdir(parents=True)
    (tmp_path / "config" / "api" / "bad.py").write_text(
        "from academies.models import OrganisationAPIKey\n\n\ndef f():\n    import mission.selectors\n"
    )
    (tmp_path / "config" / "urls.py").write_text("from academies.oidc import SingleSignOnStart\n")
    assert upward_imports("config", root=tmp_path) == [
        "config/api/bad.py imports academies.models",
        "config/api/bad.py imports mission.selectors",
    ]
    assert upward_imports("config", root=tmp_path, allowed={}) == [
        "config/api/bad.py imports academies.models",
        "config/api/bad.py imports mission.selectors",
        "config/urls.py imports academies.oidc",
    ]
