"""The house rules about who imports whom, as docs/development.md states them, held to the code:
the leaves use only the shared base (and the exceptions the docs name), the base imports no leaf
and no command, the services import no command, and no command imports another, sub-commands
included (what a command package's modules share lives in its `common` module, what several
commands share lives in the services or in `commands/__init__` and `commands/render`)."""

from __future__ import annotations

import ast
from collections.abc import Callable
from pathlib import Path

from conftest import REPO
from litellm_key.cli import COMMANDS

PACKAGE = REPO / "src" / "litellm_key"
DEVELOPMENT = (REPO / "docs" / "development.md").read_text()
LEAVES = {"gateway", "portal", "sso", "proxy", "envfile", "kube", "admin", "keyring_store", "clients", "shell_profile", "browser"}
BASE = {
    "settings", "settings_declared", "settings_values", "settings_files", "plain_yaml", "secret", "errors", "answers", "console", "files", "keyhelper",
    "known_clients", "http_client",
}
SERVICES = "services"
SHARED_IN_A_COMMAND_PACKAGE = "common"
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


def test_the_services_import_no_command_and_no_console():
    """A service returns results and prints nothing: the command renders them (text or --json)."""
    assert not _outside({SERVICES}, lambda _unit: (BASE - {"console"}) | LEAVES | {SERVICES})


def test_no_command_imports_another_command():
    commands = {module for _, module in COMMANDS.values()}
    wrong = set()
    for path in sorted((PACKAGE / "commands").rglob("*.py")):
        own = path.relative_to(PACKAGE / "commands").with_suffix("").parts[0]
        for target in _imports(path):
            if target[:1] == ("commands",) and len(target) > 1 and target[1] in commands and target[1] != own:
                wrong.add(f"{path.relative_to(PACKAGE)} imports {'.'.join(target)}")
    assert not wrong


def test_no_sub_command_imports_another():
    """In a command package (`keys/`, `doctor/`) only its `__init__` picks the modules; the others
    share what they need through `common`, so one sub-command never loads another's code."""
    wrong = set()
    for init in sorted((PACKAGE / "commands").glob("*/__init__.py")):
        prefix = init.parent.relative_to(PACKAGE).parts
        sub_commands = {path.stem for path in init.parent.glob("*.py")} - {"__init__", SHARED_IN_A_COMMAND_PACKAGE}
        for path in sorted(init.parent.glob("*.py")):
            others = {(*prefix, name) for name in sub_commands - {path.stem}} if path.stem != "__init__" else set()
            wrong |= {f"{path.relative_to(PACKAGE)} imports {'.'.join(target)}" for target in _imports(path) if target[: len(prefix) + 1] in others}
    assert not wrong


def test_no_test_imports_another_test_module_or_a_private_helper():
    """Tests follow the house rule too: what several test modules share lives in conftest.py (the
    fixtures) or a helper module (stand-ins, servers), under a public name."""
    tests = REPO / "tests"
    wrong = set()
    for path in sorted(tests.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                wrong |= {f"{path.name} imports {alias.name}" for alias in node.names if alias.name.startswith("test_")}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and (tests / f"{node.module}.py").exists():
                if node.module.startswith("test_"):
                    wrong.add(f"{path.name} imports from {node.module}")
                wrong |= {f"{path.name} imports {node.module}.{alias.name}" for alias in node.names if alias.name.startswith("_")}
    assert not wrong


def test_development_md_names_the_leaves_and_every_exception():
    leaves_sentence = DEVELOPMENT.split("Leaves (", 1)[1].split(")", 1)[0]
    assert {name.strip("` /") for name in leaves_sentence.replace(",", " ").split()} == LEAVES
    for leaf, allowed in EXCEPTIONS.items():
        for other in allowed:
            assert f"`{leaf}.py` imports `{other}." in DEVELOPMENT, (leaf, other)
