"""Data identifiers (scope:name): parsing, validation, URL quoting and search filters."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote

from ..http import EscapeError

# Rucio's default schema: scopes of word characters, dots and dashes (25 chars max);
# names up to 500 chars, which may contain slashes (and even start with one) but no controls.
SCOPE_RE = re.compile(r"^[A-Za-z0-9_.\-]{1,25}$")
NAME_MAX = 500
DID_TYPES = ("all", "collection", "container", "dataset", "file")
FILTER_OPERATORS = {"=": "", "!=": ".ne", ">": ".gt", "<": ".lt", ">=": ".gte", "<=": ".lte"}
FILTER_KEY_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")


def bad_input(message: str) -> EscapeError:
    return EscapeError(400, "rucio_bad_did", message, service="rucio")


def check_scope(scope: str) -> str:
    if not SCOPE_RE.match(scope or ""):
        raise bad_input(
            f"'{scope}' is not a valid scope: use letters, digits, '.', '_' or '-' (at most 25)."
        )
    return scope


def check_name(name: str, *, pattern: bool = False) -> str:
    what = "pattern" if pattern else "name"
    if not name:
        raise bad_input(f"The {what} is empty: write scope:name.")
    if len(name) > NAME_MAX:
        raise bad_input(f"The {what} is longer than {NAME_MAX} characters.")
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in name):
        raise bad_input(f"The {what} contains control characters.")
    if not pattern and ("*" in name or "%" in name):
        raise bad_input("Wildcards are only allowed in searches, not in a DID.")
    return name


@dataclass(frozen=True)
class DID:
    scope: str
    name: str

    @classmethod
    def parse(cls, text: str) -> DID:
        scope, sep, name = (text or "").strip().partition(":")
        if not sep:
            raise bad_input(f"'{text}' is not a DID: write scope:name.")
        return cls(check_scope(scope), check_name(name))

    def __str__(self) -> str:
        return f"{self.scope}:{self.name}"

    @property
    def path(self) -> str:
        """scope/name for Rucio's <path:scope_name> routes; slashes in names are kept encoded."""
        return f"{quote(self.scope, safe='')}/{quote(self.name, safe='')}"

    def as_dict(self) -> dict[str, str]:
        return {"scope": self.scope, "name": self.name}


@dataclass(frozen=True)
class Query:
    """What the user typed: 'scope' (browse it), or 'scope:pattern' with * wildcards."""

    scope: str
    pattern: str

    @classmethod
    def parse(cls, text: str) -> Query:
        text = (text or "").strip()
        scope, sep, pattern = text.partition(":")
        check_scope(scope)
        pattern = pattern.strip() if sep else "*"
        return cls(scope, check_name(pattern or "*", pattern=True))


def rucio_type(kind: str) -> str:
    if kind not in DID_TYPES:
        raise bad_input(f"Unknown type '{kind}': use one of {', '.join(DID_TYPES)}.")
    return kind


def _literal(value: str) -> str | int | float:
    """Numbers compare as numbers in Rucio filters; everything else as a string."""
    for cast in (int, float):
        try:
            return cast(value)
        except ValueError:
            pass
    return value


def filters_literal(pattern: str, rows: list[dict]) -> str:
    """Rucio's `filters` parameter: a Python literal list of one AND-ed dict.

    Rucio parses it with ast.literal_eval, so we build it with repr() of plain str/int/float
    values only: nothing the user types can become code or another structure.
    """
    clause: dict[str, str | int | float] = {"name": pattern}
    for row in rows:
        key = str(row.get("key", "")).strip()
        op = str(row.get("op", "=")).strip()
        value = str(row.get("value", "")).strip()
        if not FILTER_KEY_RE.match(key):
            raise bad_input(f"'{key}' is not a metadata key: letters, digits and '_' only.")
        if op not in FILTER_OPERATORS:
            raise bad_input(f"Unknown operator '{op}': use one of {' '.join(FILTER_OPERATORS)}.")
        if key == "name":
            raise bad_input("Filter the name in the search box, not as metadata.")
        clause[key + FILTER_OPERATORS[op]] = _literal(value)
    return repr([clause])
