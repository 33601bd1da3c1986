"""A client's config file as data: the settings we own in it, and safe reading and path edits.

A `Setting` is a path of keys and the value we need there (or ABSENT: a stale key that must go;
TABLE: an object that must exist). Paths are walked the same way in JSON dicts and tomlkit tables.
Reading never guesses: a file that does not parse, or a value in the way of one of our paths
(`"model": "x"` where we need `model.name`), becomes the catalogued `client-config-malformed`.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, MutableMapping, Sequence

from ..errors import LitellmKeyError, fail
from ..files import read_regular
from ..secret import mask, scrub
from ._formats import Format, ParseProblem


class _Marker:
    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


ABSENT: Any = _Marker("ABSENT")  # as a Setting value: a stale key that must go (it would win over ours)
TABLE: Any = _Marker("TABLE")  # as a Setting value: an object/table that must exist (never replaced)


@dataclass(frozen=True)
class Setting:
    path: tuple[str, ...]
    value: Any
    secret: bool = False  # never displayed; the undo record keeps only a digest of it
    shared: bool = False  # plausibly the user's own value: without an undo record, logout leaves it alone


@dataclass(frozen=True)
class ConfigFile:
    path: Path
    format: Format
    settings: tuple[Setting, ...]
    mode: int | None = None  # 0o600 for files holding a key; None keeps the file's own mode


class Conflict(Exception):
    def __init__(self, setting: tuple[str, ...], found: Any) -> None:
        super().__init__(setting)
        self.setting = setting
        self.found = found


def digest(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()[:32]


def same(current: Any, value: Any, fmt: Format) -> bool:
    if value is TABLE:
        return isinstance(current, Mapping)
    if value is ABSENT or current is ABSENT:
        return value is current
    return digest(fmt.plain(current)) == digest(value)  # strict: JSON true is not 1


def get(document: Mapping[str, Any], path: tuple[str, ...]) -> Any:
    node: Any = document
    for part in path:
        if not isinstance(node, Mapping) or part not in node:
            return ABSENT
        node = node[part]
    return node


def put(document: MutableMapping[str, Any], path: tuple[str, ...], value: Any, fmt: Format) -> list[tuple[str, ...]]:
    """Set (or with ABSENT delete) the value at path; returns the containers it had to create."""
    created: list[tuple[str, ...]] = []
    node: Any = document
    for depth, part in enumerate(path[:-1], start=1):
        if part not in node:
            if value is ABSENT:
                return created
            node[part] = fmt.new_table(holds_values=depth == len(path) - 1)
            created.append(path[:depth])
        node = node[part]
        if not isinstance(node, MutableMapping):
            if value is ABSENT:
                return created
            raise Conflict(path[:depth], node)
    leaf = path[-1]
    if value is ABSENT:
        node.pop(leaf, None)
    elif value is TABLE:
        if leaf not in node:
            node[leaf] = fmt.new_table(holds_values=True)
            created.append(path)
        elif not isinstance(node[leaf], Mapping):
            raise Conflict(path, node[leaf])
    else:
        node[leaf] = value
    return created


class Unreadable(Exception):
    """The config path is no file we can read: a directory, a named pipe, a link loop, no permission."""


def read(config: ConfigFile) -> bytes | None:
    """The file's bytes, None when it does not exist. A named pipe is never read (it would block
    setup, status and every container start for ever)."""
    try:
        return read_regular(config.path)
    except FileNotFoundError:
        return None
    except OSError as error:
        raise Unreadable(error.strerror or str(error)) from None


def parse(config: ConfigFile, data: bytes | None) -> MutableMapping[str, Any]:
    if data is None:
        return config.format.load("")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ParseProblem(data[: error.start].count(b"\n") + 1, "not UTF-8 text") from None
    return config.format.load(text)


_KINDS = {"str": "a string", "int": "a number", "float": "a number", "bool": "a boolean", "list": "a list"}


def shown(value: Any, key: str | None, limit: int) -> str:
    """A value from a user's file as a message may repeat it: our key and anything key-like masked."""
    text = json.dumps(value, default=str, ensure_ascii=False)
    return scrub(text.replace(key, mask(key)) if key else text)[:limit]


def holds_secret_path(config: ConfigFile, path: tuple[str, ...]) -> bool:
    """Whether a value at `path` is, or contains, one of the file's secret settings: never shown."""
    return any(s.secret and (s.path[: len(path)] == path or path[: len(s.path)] == s.path) for s in config.settings)


def failure(client: str, config: ConfigFile, problem: Exception, action: str, key: str | None = None) -> LitellmKeyError:
    """The catalogued error: which client, which file and line, what is wrong, nothing written.

    A value in the way is repeated only when it is not at a path that holds a key, and masked.
    """
    if isinstance(problem, ParseProblem):
        location = f"{config.path}, line {problem.line}"
        what = f"not valid {config.format.name} ({scrub(problem.detail)})"
    else:
        assert isinstance(problem, Conflict)
        location = str(config.path)
        found = config.format.plain(problem.found)
        inside = next(s.path for s in config.settings if s.path[: len(problem.setting)] == problem.setting)
        value = "" if holds_secret_path(config, problem.setting) else f" ({shown(found, key, 40)})"
        what = (
            f"`{'.'.join(problem.setting)}` is {_KINDS.get(type(found).__name__, 'a value')}{value}, "
            f"but litellm-key needs to set `{'.'.join(inside)}` inside it"
        )
    return fail("client-config-malformed", client=client, location=location, problem=what, action=action)


def load_all(client: str, configs: Sequence[ConfigFile], action: str) -> list[tuple[bytes | None, MutableMapping[str, Any]]]:
    loaded = []
    for config in configs:
        try:
            data = read(config)
            loaded.append((data, parse(config, data)))
        except ParseProblem as problem:
            raise failure(client, config, problem, action) from None
        except Unreadable as problem:
            raise fail("client-config-malformed", client=client, location=config.path, problem=problem, action=action) from None
    return loaded
