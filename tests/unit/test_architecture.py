"""The import graph, walked with ast: which layer may import which."""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "pes21_bot"

# Handler modules every feature may use: sending helpers, the access table's registration and
# the form engine (features supply its completion hooks).
SHARED_HANDLERS = {
    "pes21_bot.handlers.ui",
    "pes21_bot.handlers.access",
    "pes21_bot.handlers.forms",
    "pes21_bot.handlers.form_engine",
}


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in PACKAGE.rglob("*.py")}


@cache
def direct_imports(module: str) -> frozenset[str]:
    """Modules this one imports (pes21_bot modules by full name, others by top-level name)."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                is_package = MODULES[module].name == "__init__.py"
                package = module if is_package else module.rsplit(".", 1)[0]
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}" if base else anchor
            # "from pes21_bot.handlers import forms" imports the module pes21_bot.handlers.forms.
            names = [base] + [f"{base}.{alias.name}" for alias in node.names]
        else:
            continue
        for name in names:
            if name.startswith("pes21_bot"):
                if name in MODULES:
                    found.add(name)
            else:
                found.add(name.split(".")[0])
    found.discard(module)
    return frozenset(found)


def reachable(module: str) -> set[str]:
    """Everything this module imports, directly or through other pes21_bot modules."""
    seen: set[str] = set()
    todo = [module]
    while todo:
        for name in direct_imports(todo.pop()):
            if name not in seen:
                seen.add(name)
                if name in MODULES:
                    todo.append(name)
    return seen


def _in(package: str) -> list[str]:
    return sorted(m for m in MODULES if m == package or m.startswith(f"{package}."))


def test_the_walk_sees_the_known_arrows() -> None:
    assert "pes21_bot.handlers.ui" in direct_imports("pes21_bot.handlers.staff")
    assert "telegram" in reachable("pes21_bot.app")
    assert "pes21_bot.handlers.forms" in direct_imports("pes21_bot.app")


def test_jobs_never_reach_handlers() -> None:
    bad = {
        (job, name)
        for job in _in("pes21_bot.jobs")
        for name in reachable(job)
        if name.startswith("pes21_bot.handlers")
    }
    assert bad == set()


def test_feature_handlers_do_not_import_each_other() -> None:
    handlers = set(_in("pes21_bot.handlers")) - {"pes21_bot.handlers"}
    bad = {
        (module, name)
        for module in handlers
        for name in direct_imports(module)
        if name in handlers and name not in SHARED_HANDLERS
    }
    assert bad == set()


def test_services_never_reach_telegram_even_through_db() -> None:
    bad = {
        (module, "telegram")
        for module in _in("pes21_bot.services")
        if "telegram" in reachable(module)
    }
    assert bad == set()


def test_domain_stays_pure() -> None:
    forbidden = ("pes21_bot.db", "pes21_bot.services", "telegram", "sqlalchemy")
    bad = {
        (module, name)
        for module in _in("pes21_bot.domain")
        for name in reachable(module)
        if any(name == f or name.startswith(f"{f}.") for f in forbidden)
    }
    assert bad == set()
