"""README stays true: every environment variable that the code reads is documented there."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ["config", "academies", "trainees", "mission", "bench", "tests/faults", "gunicorn.conf.py"]
READ_PATTERN = re.compile(
    r"""(?:env\.[a-z_]+|_required|environ\.Env\(\)\.[a-z_]+|os\.environ\.get|os\.getenv|os\.environ\[)\(?\s*["']([A-Z][A-Z0-9_]+)["']"""
)


def variables_read_by_the_code() -> set[str]:
    names: set[str] = set()
    for source in SOURCES:
        path = ROOT / source
        files = [path] if path.is_file() else path.rglob("*.py")
        for file in files:
            if "migrations" not in file.parts:
                names.update(READ_PATTERN.findall(file.read_text(encoding="utf-8")))
    return names


def test_the_pattern_finds_the_variables_we_know_of():
    assert {"DATABASE_URL", "REDIS_URL", "DJANGO_SECRET_KEY", "EUMAM_VAR_DIR"} <= variables_read_by_the_code()


def test_every_environment_variable_is_documented_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    undocumented = sorted(name for name in variables_read_by_the_code() if f"`{name}`" not in readme)
    assert undocumented == []
