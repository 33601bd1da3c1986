"""Settings files: reading a YAML layer safely, and the file where `setup` records its choices.

A settings file is small and written by hand or by the feature; whatever it holds must end in a
catalogued error (exit 3, file and line), never a traceback: bytes that are not UTF-8, broken YAML,
or an alias "bomb" (a few lines whose aliases expand to millions of nodes, which the value parsers
would then walk for minutes). YAML is imported here only, and only when a file exists.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from . import keyhelper
from .errors import fail
from .files import atomic_write, locked_dir
from .plain_yaml import plain_mapping

if TYPE_CHECKING:
    from typing import Any

# Far more nodes (alias expansion counted) than any real settings file holds; far fewer than it
# takes to make the value parsers slow.
MAX_NODES = 10_000
_HEADER = (
    "# Choices given to `litellm-key setup` by flag, restored by `litellm-key apply` after a rebuild.\n"
    "# Written by litellm-key (git-ignored, personal); `litellm-key logout` deletes it.\n"
)


def _expanded_size(root: Any) -> int:
    """Nodes in the document with every alias expanded, counted without expanding anything: each
    distinct node's size is computed once (PyYAML composes an alias as the same node object)."""
    import yaml

    sizes: dict[int, int] = {}

    def size(node: Any) -> int:
        known = sizes.get(id(node))
        if known is not None:
            return known
        sizes[id(node)] = 1  # a recursive alias counts once instead of looping
        if isinstance(node, yaml.MappingNode):
            total = 1 + sum(size(key) + size(value) for key, value in node.value)
        elif isinstance(node, yaml.SequenceNode):
            total = 1 + sum(size(item) for item in node.value)
        else:
            total = 1
        sizes[id(node)] = min(total, MAX_NODES + 1)
        return sizes[id(node)]

    return size(root)


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def read_yaml(path: Path) -> dict[str, tuple[Any, int]]:
    """Settings from one YAML file, each with the line it is on. The feature's flat file is read
    without PyYAML (plain_yaml: its import is a tenth of a warm `apply`)."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise fail("config-unreadable", source=path, problem=error.strerror or error) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        problem = f"byte 0x{data[error.start]:02x} is not UTF-8 text"
        raise fail("config-yaml", source=path, line=_line_of(data, error.start), problem=problem) from None
    plain = plain_mapping(text, MAX_NODES)
    if plain is not None:
        return plain
    import yaml

    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is not None and _expanded_size(node) > MAX_NODES:
            raise fail("config-too-large", source=path, limit=MAX_NODES)
        values = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        raise fail("config-yaml", source=path, line=mark.line + 1 if mark else "?", problem=error.problem) from None
    except RecursionError:  # nesting thousands deep: PyYAML's composer recurses
        raise fail("config-too-large", source=path, limit=MAX_NODES) from None
    except yaml.YAMLError as error:  # e.g. a control character: a ReaderError carries no mark
        raise fail("config-yaml", source=path, line="?", problem=str(error).splitlines()[0]) from None
    finally:
        loader.dispose()
    if values is None:
        return {}
    if not isinstance(values, dict) or not isinstance(node, yaml.MappingNode):
        raise fail("config-not-mapping", source=path)
    lines = {str(key_node.value): key_node.start_mark.line + 1 for key_node, _ in node.value}
    return {str(name): (value, lines.get(str(name), 0)) for name, value in values.items()}


def recorded_choices_path(workspace: Path) -> Path:
    """Where `setup` records the choices it was given by flag (--client, --model, ...): in the
    workspace, which a rebuild keeps, next to the committed litellm-key.yaml but git-ignored."""
    return workspace / keyhelper.RECORDED_CHOICES


def record_choices(workspace: Path, choices: dict[str, Any]) -> bool:
    """Merge `choices` (setting -> the value given by flag) into the recorded file; a later setup
    replaces the settings it names and keeps the others. Returns whether the file changed."""
    import yaml

    path = recorded_choices_path(workspace)
    with locked_dir(path.parent):
        recorded = {name: value for name, (value, _) in read_yaml(path).items()} if path.is_file() else {}
        recorded.update(choices)
        text = _HEADER + yaml.safe_dump(recorded, sort_keys=True, default_flow_style=False)
        return atomic_write(path, text.encode("utf-8"))


def forget_choices(workspace: Path) -> Path | None:
    """Delete the recorded choices; the path when there were any."""
    path = recorded_choices_path(workspace)
    try:
        path.unlink()
    except (FileNotFoundError, IsADirectoryError):
        return None
    return path
