"""The house rules about who imports whom, as docs/development.md states them, held to the code:
the leaves use only the shared base (and the exceptions the docs name), the base imports no leaf
and no command, and no command imports another (shared steps live in step modules)."""

from __future__ import annotations

import ast
from collections.abc import Callable
from pathlib import Path

from conftest import REPO
from litellm_key.cli import COMMANDS

PACKAGE = REPO / "src" / "litellm_key"
DEVELOPMENT = (REPO / "docs" / "development.md").read_text()
LEAVES = {"gateway", "portal", "sso", "proxy", "envfile", "kube", "admin", "keyring_store", "clients", "shell_profile", "browser"}
BASE = {"settings", "settings_declared", "settings_values", "settings_files", "plain_yaml", "secret", "errors", "answers", "console", "files", "keyhelper", "http_client"}
# leaf -> the other leaves it may import, each named in docs/development.md with its reason
EXCEPTIONS = {"admin": {"gateway"}, "sso": {"gateway"}}


def _imports(path: Path) -> set[tuple[str, ...]]:
    """Every module of ours `path` imports, as a dotted path under litellm_key, split into parts."""
    own = path.relative_to(PACKAGE).with_suffix("").parts
    package = own[:-1]  # __init__ too: its package is the folder itself, which `.` names
    found: set[tuple[str, ...]] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if not isinstance(node, ast.ImportFrom) or node.level == 0:
            continue  # absolute imports are not ours: the package only imports itself relatively
        base = package[: len(package) - (node.level - 1)]
        if node.module:
            found.add((*base, *node.module.split(".")))
        else:
            found |= {(*base, alias.name) for alias in node.names}
    return found


def _unit(parts: tuple[str, ...]) -> str:
    return parts[0] if parts else ""


def _modules(unit: str) -> list[Path]:
    folder = PACKAGE / unit
    return sorted(folder.rglob("*.py")) if folder.is_dir() else [PACKAGE / f"{unit}.py"]


def _outside(units: set[str], allowed: Callable[[str], set[str]]) -> set[str]:
    """'module imports target' for every import of a module in `units` that `allowed(unit)` lacks."""
    return {
        f"{path.relative_to(PACKAGE)} imports {'.'.join(target)}"
        for unit in units
        for path in _modules(unit)
        for target in _imports(path)
        if _unit(target) not in allowed(unit)
    }


def test_leaves_use_only_the_shared_base_and_the_documented_exceptions():
    assert not _outside(LEAVES, lambda leaf: BASE | {leaf} | EXCEPTIONS.get(leaf, set()))


def test_the_shared_base_imports_no_leaf_and_no_command():
    assert not _outside(BASE, lambda _unit: BASE)


def test_no_command_imports_another_command():
    commands = {module for _, module in COMMANDS.values()}
    wrong = set()
    for path in sorted((PACKAGE / "commands").rglob("*.py")):
        own = path.relative_to(PACKAGE / "commands").with_suffix("").parts[0]
        for target in _imports(path):
            if target[:1] == ("commands",) and len(target) > 1 and target[1] in commands and target[1] != own:
                wrong.add(f"{path.relative_to(PACKAGE)} imports {'.'.join(target)}")
    assert not wrong


def test_development_md_names_the_leaves_and_every_exception():
    leaves_sentence = DEVELOPMENT.split("Leaves (", 1)[1].split(")", 1)[0]
    assert {name.strip("` /") for name in leaves_sentence.replace(",", " ").split()} == LEAVES
    for leaf, allowed in EXCEPTIONS.items():
        for other in allowed:
            assert f"`{leaf}.py` imports `{other}." in DEVELOPMENT, (leaf, other)
