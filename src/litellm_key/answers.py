"""Reading a server's decoded JSON answer by the shape we expect, field by field.

A 2xx body that parses as JSON can still be anything: `["a", 1]` where an object is expected, a
number where a date is, `"inf"` where a count is. Read with `.get()` and `float()`, such an answer
becomes an AttributeError, an OverflowError or a silently wrong table. Every answer the tool reads
(LiteLLM, the key portal, the SSO login) goes through an `Endpoint` here instead, so a wrong shape
is one catalogued error (`answer-unexpected`) that names the URL and the field.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, NamedTuple

from .errors import LitellmKeyError, fail
from .secret import scrub

if TYPE_CHECKING:
    from datetime import datetime

_KINDS = {dict: "an object", list: "a list", str: "a string", bool: "true/false", type(None): "null"}


def kind(value: Any) -> str:
    """What a JSON value is, in words for the error message."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return "a number"
    return _KINDS.get(type(value), type(value).__name__)


def moment(text: Any) -> datetime | None:
    """A server's ISO 8601 time as an aware UTC datetime; None when it is no date.

    Clamped into datetime's range: `9999-12-31T23:59:59-01:00` is after its last moment in UTC and
    `0001-01-01T00:30:00+01:00` before its first, and converting either raises OverflowError —
    in `setup`, and in `apply` at every container start, before this existed.
    """
    if not isinstance(text, str) or not text.strip():
        return None
    from datetime import datetime, timedelta, timezone

    try:
        parsed = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    offset = parsed.utcoffset()
    if offset is None:
        return parsed.replace(tzinfo=timezone.utc)
    try:
        return parsed.astimezone(timezone.utc)
    except OverflowError:
        return (datetime.max if offset < timedelta(0) else datetime.min).replace(microsecond=0, tzinfo=timezone.utc)


class Endpoint(NamedTuple):
    """One URL of one server, and the setting that points at that server (named by the fix).
    A NamedTuple, not a dataclass: `envfile` imports this module, and dataclasses costs `token` 10 ms."""

    url: str
    server: str  # "LiteLLM", "the key portal"
    setting: str  # what the fix asks to check, as the transport's errors name it: "`upstream` (LITELLM_UPSTREAM)"

    def wrong(self, detail: str) -> LitellmKeyError:
        return fail("answer-unexpected", url=self.url, server=self.server, setting=self.setting, detail=detail)

    def _expected(self, where: str, wanted: str, value: Any) -> LitellmKeyError:
        return self.wrong(f"{where} is {kind(value)}, not {wanted}")

    def object(self, body: Any, where: str = "the answer") -> dict[str, Any]:
        if not isinstance(body, dict):
            raise self._expected(where, "an object", body)
        return body

    def objects(self, body: Any, where: str = "the answer") -> list[dict[str, Any]]:
        """A list of objects (a null list is empty)."""
        if body is None:
            return []
        if not isinstance(body, list):
            raise self._expected(where, "a list", body)
        for position, item in enumerate(body):
            self.object(item, f"{where}[{position}]")
        return body

    def rows(self, body: Any, *, texts: tuple[str, ...] = (), numbers: tuple[str, ...] = (),
             counts: tuple[str, ...] = ()) -> list[dict[str, Any]]:
        """A list of objects whose named fields have their types (strings, finite numbers, whole
        numbers >= 0), returned as sent: for tables that show the fields as they are."""
        rows = self.objects(body)
        for row in rows:
            for names, check in ((texts, self.text), (numbers, self.number), (counts, self.whole_number)):
                for name in names:
                    check(row, name)
        return rows

    def field_objects(self, record: dict[str, Any], name: str) -> list[dict[str, Any]]:
        return self.objects(record.get(name), f"`{name}`")

    def field_object(self, record: dict[str, Any], name: str) -> dict[str, Any]:
        """A nested object (null or absent: empty)."""
        value = record.get(name)
        return {} if value is None else self.object(value, f"`{name}`")

    def text(self, record: dict[str, Any], name: str) -> str | None:
        """A string (null or absent: None)."""
        value = record.get(name)
        if value is not None and not isinstance(value, str):
            raise self._expected(f"`{name}`", "a string", value)
        return value

    def required_text(self, record: dict[str, Any], name: str) -> str:
        value = record.get(name)
        if not isinstance(value, str) or not value:
            raise self._expected(f"`{name}`", "a non-empty string", value)
        return value

    def date(self, record: dict[str, Any], name: str) -> str | None:
        """An ISO 8601 time, as sent (null or absent: None); any year from 1 to 9999 is one."""
        value = self.text(record, name)
        if value is not None and moment(value) is None:
            raise self.wrong(f"`{name}` is '{' '.join(scrub(value).split())[:40]}', not an ISO 8601 time")  # masked: server text
        return value

    def texts(self, record: dict[str, Any], name: str) -> tuple[str, ...]:
        """A list of strings (null or absent: none)."""
        value = record.get(name)
        if value is None:
            return ()
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise self._expected(f"`{name}`", "a list of strings", value)
        return tuple(value)

    def number(self, record: dict[str, Any], name: str) -> float | None:
        """A finite JSON number (null or absent: None); `1e999` decodes to infinity and is refused."""
        value = record.get(name)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise self._expected(f"`{name}`", "a finite number", value)
        return float(value)

    def whole_number(self, record: dict[str, Any], name: str) -> int | None:
        """A whole number >= 0 (null or absent: None), such as a page count; exact however large."""
        value = self.number(record, name)
        if value is None:
            return None
        if value < 0 or not value.is_integer():
            raise self.wrong(f"`{name}` is {record[name]!r}, not a whole number >= 0")
        return record[name] if isinstance(record[name], int) else int(value)

    def flag(self, record: dict[str, Any], name: str) -> bool:
        value = record.get(name)
        if value is None:
            return False
        if not isinstance(value, bool):
            raise self._expected(f"`{name}`", "true/false", value)
        return value
