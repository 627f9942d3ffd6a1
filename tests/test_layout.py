"""The shape of the code base: no Python module outside migrations and tests passes 600
lines (a module that does grows into a package split by area, as scoring/ is)."""
import os
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
MAX_LINES = 600
SKIPPED_DIRS = {"migrations", "tests", "__pycache__", "node_modules", "media", "staticfiles"}


def python_modules():
    """Every .py file of the project (not hidden folders such as .venv, migrations or tests),
    relative to ROOT."""
    for folder, dirs, files in os.walk(ROOT):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in SKIPPED_DIRS)
        for name in sorted(files):
            if name.endswith(".py"):
                yield (Path(folder) / name).relative_to(ROOT)


def line_count(path) -> int:
    with open(ROOT / path, encoding="utf-8") as handle:
        return sum(1 for _line in handle)


def test_the_walk_sees_the_apps_and_skips_migrations_and_tests():
    modules = {str(p) for p in python_modules()}
    assert {"manage.py", "reports/results.py", "evidence/services.py", "cchc_portal/settings.py"} <= modules
    assert not any("/migrations/" in m or m.startswith(("tests/", ".venv/")) for m in modules)


def test_no_module_passes_600_lines():
    long = {str(path): n for path in python_modules() if (n := line_count(path)) > MAX_LINES}
    assert not long, f"modules over {MAX_LINES} lines (split them by area): {long}"

