"""Read the reports of scripts/test and print one table and the final summary line.

A layer whose report is missing (it crashed before reporting) counts as one failure, and skipped
tests are shown but never counted as passed.
"""

from __future__ import annotations

import json
import sys
import xml.etree.ElementTree as ET
from pathlib import Path


def lint(reports: Path) -> tuple[int, int, int]:
    lines = (reports / "lint.txt").read_text().split()
    codes = lines[1::2]
    return codes.count("0"), len(codes) - codes.count("0"), 0


def jest(reports: Path) -> tuple[int, int, int]:
    data = json.loads((reports / "jest.json").read_text())
    failed = data["numFailedTests"] + data.get("numRuntimeErrorTestSuites", 0)
    return data["numPassedTests"], failed, data["numPendingTests"] + data.get("numTodoTests", 0)


def pytest(reports: Path, name: str = "pytest.xml") -> tuple[int, int, int]:
    root = ET.parse(reports / name).getroot()
    suites = [root] if root.tag == "testsuite" else list(root)
    total = sum(int(s.get("tests", 0)) for s in suites)
    failed = sum(int(s.get("failures", 0)) + int(s.get("errors", 0)) for s in suites)
    skipped = sum(int(s.get("skipped", 0)) for s in suites)
    return total - failed - skipped, failed, skipped


def package(reports: Path) -> tuple[int, int, int]:
    return pytest(reports, "package.xml")


def galata(reports: Path) -> tuple[int, int, int]:
    stats = json.loads((reports / "galata.json").read_text())["stats"]
    failed = stats.get("unexpected", 0) + stats.get("flaky", 0)
    if stats.get("expected", 0) + failed == 0 and (stats.get("skipped", 0) == 0):
        failed += 1  # the run produced no result at all
    return stats.get("expected", 0), failed, stats.get("skipped", 0)


LAYERS = {"lint": lint, "jest": jest, "pytest": pytest, "package": package, "galata": galata}


def main() -> int:
    reports = Path(sys.argv[1])
    passed = failed = skipped = 0
    print(f"\n{'layer':<8}{'passed':>8}{'failed':>8}{'skipped':>9}")
    for name in sys.argv[2:]:
        try:
            p, f, s = LAYERS[name](reports)
        except (OSError, ValueError, KeyError, ET.ParseError) as exc:
            print(f"{name:<8}{'-':>8}{1:>8}{'-':>9}   no report ({type(exc).__name__})")
            failed += 1
            continue
        print(f"{name:<8}{p:>8}{f:>8}{s:>9}")
        passed, failed, skipped = passed + p, failed + f, skipped + s
    if skipped:
        print(f"{skipped} skipped (not counted as passed)")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
