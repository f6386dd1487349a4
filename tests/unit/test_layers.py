"""The layers keep to their floors: read cstier's source and check what each part may touch."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "cstier"
# The store owns every engine branch and database thread; the scheduler and the delivery
# workers run threads of their own.
OWN_THREADS = ("store", "jobs", "notify")
THREAD_MODULES = ("threading", "_thread", "concurrent.futures", "multiprocessing")
THREAD_NAMES = {"Thread", "ThreadPoolExecutor", "ProcessPoolExecutor"}
ENGINE_ATTRIBUTES = {"dialect", "get_backend_name"}


def _sources(*skipped: str) -> list[tuple[str, ast.Module]]:
    """Return (path under cstier/, parsed module) of every module outside the skipped parts."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE)
        if relative.parts[0] in skipped:
            continue
        found.append((relative.as_posix(), ast.parse(path.read_text(encoding="utf-8"))))
    return found


def _imported(tree: ast.Module) -> list[str]:
    """Return the modules a module imports (from-imports by their module)."""
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
    return names


def _within(module: str, packages: tuple[str, ...]) -> bool:
    return any(module == p or module.startswith(p + ".") for p in packages)


def test_the_tree_is_read():
    paths = [path for path, _ in _sources()]
    assert "store/tier_blocks.py" in paths and "services/tiering/run.py" in paths


def test_only_the_store_asks_which_engine_it_runs_on():
    found = [
        f"{path}:{node.lineno} .{node.attr}"
        for path, tree in _sources("store")
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute) and node.attr in ENGINE_ATTRIBUTES
    ]
    # Models may declare a type's PostgreSQL variant; statements built for one engine may not.
    found += [
        f"{path} imports {module}"
        for path, tree in _sources("store", "models")
        for module in _imported(tree)
        if _within(module, ("sqlalchemy.dialects",))
    ]
    assert found == [], "engine branches belong in cstier/store"


def test_only_the_store_jobs_and_channels_run_threads():
    found = []
    for path, tree in _sources(*OWN_THREADS):
        found += [f"{path} imports {m}" for m in _imported(tree) if _within(m, THREAD_MODULES)]
        for node in ast.walk(tree):
            name = node.attr if isinstance(node, ast.Attribute) else getattr(node, "id", None)
            if name in THREAD_NAMES:
                found.append(f"{path}:{node.lineno} {name}")
    assert found == [], "database threads belong in cstier/store"


@pytest.mark.parametrize(
    ("part", "forbidden"),
    [
        ("domain", ("flask", "sqlalchemy", "cstier.models", "cstier.store", "cstier.services")),
        ("models", ("flask", "cstier.store", "cstier.services")),
        ("store", ("flask", "cstier.services", "cstier.web", "cstier.api", "cstier.cli")),
    ],
)
def test_imports_point_down(part, forbidden):
    found = [
        f"{path} imports {module}"
        for path, tree in _sources()
        if path.startswith(part + "/")
        for module in _imported(tree)
        if _within(module, forbidden)
    ]
    assert found == []
