"""The ``%%reana`` cell: its first line's options and the YAML below it.

    %%reana -n my-analysis -p events=1000 -p model=gauss -l data=escape_opendata:run42 --wait
    version: 0.9.0
    ...

This is the one parser of the grammar: the notebook frontend and the kernel magic send the cell's
text as it is (``cell`` in the validate and submit requests) and the server reads it here. A raw
cell (no ``%%reana`` line) is all YAML.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field

from ..http import EscapeError

MAGIC = "%%reana"
USAGE = "use -n NAME, -p KEY=VALUE, -l PARAM=SCOPE:NAME (a Data Lake input), --wait"


class CellError(EscapeError):
    """The first line cannot be understood: a 400 whose message says why."""

    def __init__(self, message: str):
        super().__init__(400, "reana_bad_cell", message, service="reana")


@dataclass
class ReanaCell:
    spec: str
    name: str | None = None
    parameters: dict[str, str] = field(default_factory=dict)
    wait: bool = False
    line_offset: int = 0  # lines of the cell before the YAML
    # Data Lake inputs: workflow parameter -> DID. Only which data; how it reaches REANA and
    # whether secrets are set is the server's choice and the user's consent, never the cell's.
    lake: dict[str, str] = field(default_factory=dict)

    def options_json(self) -> dict:
        return {
            "name": self.name,
            "parameters": self.parameters,
            "wait": self.wait,
            "lake": self.lake,
        }


def parse_options(line: str) -> tuple[str | None, dict[str, str], bool]:
    name, parameters, wait, _lake = parse_all_options(line)
    return name, parameters, wait


def parse_all_options(line: str) -> tuple[str | None, dict[str, str], bool, dict[str, str]]:
    try:
        words = shlex.split(line)
    except ValueError as err:
        raise CellError(f"%%reana options: {err}.") from None
    name, parameters, wait, lake = None, {}, False, {}
    index = 0
    while index < len(words):
        word = words[index]
        if word in ("-n", "--name", "-p", "--parameter", "-l", "--lake"):
            if index + 1 >= len(words):
                raise CellError(f"%%reana: {word} needs a value.")
            value = words[index + 1]
            index += 2
            if word in ("-n", "--name"):
                name = value
                continue
            key, sep, val = value.partition("=")
            if word in ("-l", "--lake"):
                if not sep or not key or ":" not in val:
                    raise CellError(f"%%reana: -l takes PARAM=SCOPE:NAME, got {value!r}.")
                lake[key] = val
                continue
            if not sep or not key:
                raise CellError(f"%%reana: -p takes key=value, got {value!r}.")
            parameters[key] = val
        elif word == "--wait":
            wait = True
            index += 1
        else:
            raise CellError(f"%%reana: unknown option {word!r}; {USAGE}.")
    return name, parameters, wait, lake


def parse_cell(source: str) -> ReanaCell:
    """A raw cell is all YAML; a code cell starting with %%reana has options first."""
    lines = source.split("\n")
    first = lines[0].strip() if lines else ""
    if first.startswith(MAGIC):
        rest = first[len(MAGIC) :]
        if rest and not rest[0].isspace():
            raise CellError(f"{first.split()[0]!r} is not %%reana.")
        name, parameters, wait, lake = parse_all_options(rest)
        cell = ReanaCell("\n".join(lines[1:]), name, parameters, wait, line_offset=1, lake=lake)
    else:
        cell = ReanaCell(source)
    if not cell.spec.strip():
        where = "below the %%reana line" if cell.line_offset else "in the cell"
        raise CellError(f"Write the REANA specification (YAML) {where}.")
    return cell
