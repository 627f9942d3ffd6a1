"""Apps import only downward: the order below is the README's architecture sketch.

Every import statement of every app module counts, at module level or inside a function
(`ready()` hooks included), except in migrations and tests. A lower app that must show or
do something for a higher one offers a registry (`campaigns.links`, `campaigns.signals`,
`cchc_portal.notifications.registry`, `evidence.usage`) that the higher one fills.
"""
import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Lowest first; each may import the ones before it, never the ones after it.
LAYERS = [
    "cchc_portal.core",            # BaseModel, errors, shared helpers
    "cchc_portal.notifications",   # the outbox, sending, in-app notifications, long jobs
    "campaigns",                   # agencies, users and roles, campaigns, steps, extensions
    "cchc_portal.automation",      # the tick, reminder policies, the /notifications/ pages
    "evidence",
    "scoring",
    "surveys",
    "reports",
]
# The demo builders serve only `seed_demo` (reports): they sit on top wherever their file is.
TOP = "reports"


def app_of(module: str) -> str | None:
    for app in LAYERS:
        if module == app or module.startswith(app + "."):
            return app
    return None


def layer_of(module: str) -> int | None:
    app = app_of(module)
    if app is None:
        return None
    if "demo" in module.rsplit(".", 1)[-1]:
        return LAYERS.index(TOP)
    return LAYERS.index(app)


def app_modules():
    for app in LAYERS:
        folder = ROOT.joinpath(*app.split("."))
        for path in sorted(folder.rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if "migrations" in parts or "tests" in parts:
                continue
            # cchc_portal.core's folder does not hold the other cchc_portal packages
            module = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            if app_of(module) == app:
                yield module, path


def imported(module: str, path: Path):
    """(line, module) of every import in the file, relative ones resolved."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module
            yield node.lineno, target
            for alias in node.names:  # `from cchc_portal import automation`
                yield node.lineno, f"{target}.{alias.name}"


def upward_imports(module, path) -> list[str]:
    own = layer_of(module)
    found = {}
    for line, target in imported(module, path):
        other = layer_of(target)
        if other is not None and other > own:
            found.setdefault((line, app_of(target)), target)
    return [f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path.name}:{line} imports {target} "
            f"({app} is above {app_of(module)})" for (line, app), target in sorted(found.items())]


def test_every_app_imports_only_downward():
    modules = list(app_modules())
    assert len(modules) > 100  # the walk found the apps
    problems = [p for module, path in modules for p in upward_imports(module, path)]
    assert problems == []


@pytest.mark.parametrize("source,above", [
    ("from scoring.models import Item", ["scoring"]),
    ("def f():\n    from reports import services\n    import surveys.selectors", ["reports", "surveys"]),
    ("from cchc_portal import automation", ["cchc_portal.automation"]),
    ("from cchc_portal.core.views import run_action\nfrom cchc_portal.notifications import services", []),
])
def test_the_walk_sees_module_and_function_imports(tmp_path, source, above):
    path = tmp_path / "views.py"
    path.write_text(source, encoding="utf-8")
    problems = upward_imports("campaigns.views", path)
    assert [p.split("(")[1].split(" is above")[0] for p in problems] == above


def test_relative_imports_are_resolved(tmp_path):
    path = tmp_path / "views.py"
    path.write_text("from ..automation import tick\nfrom . import models\n", encoding="utf-8")
    assert [t for _line, t in imported("cchc_portal.notifications.views", path)] == [
        "cchc_portal.automation", "cchc_portal.automation.tick", "cchc_portal.notifications",
        "cchc_portal.notifications.models"]
    assert len(upward_imports("cchc_portal.notifications.views", path)) == 1


def test_demo_builders_sit_on_top():
    assert layer_of("campaigns.demo") == layer_of("scoring.demo_appraisal") == LAYERS.index("reports")
    assert layer_of("campaigns.models") < layer_of("cchc_portal.automation.tick") < layer_of("evidence.views")
