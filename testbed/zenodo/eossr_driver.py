"""Runs INSIDE eossr's own venv (testbed/zenodo/eossr_env.py): the real eossr, asked by our tests.

    python eossr_driver.py version
    python eossr_driver.py crosswalk                  eossr's crosswalk table as JSON rows
    python eossr_driver.py convert --zenodo URL       stdin: a JSON list of codemeta documents
    python eossr_driver.py upload --zenodo URL -- ARGS   eossr-upload-repository ARGS

eossr has no setting for its Zenodo: the module globals it reads on every call are pointed at
``URL`` (the Zenodo stand-in), for the API and the sandbox alike. Its one other network call while
converting, the SPDX licence list from GitHub (only for a licence outside Zenodo's vocabulary), is
answered with an error at once: this machine has no internet and the test must not wait for a
timeout. Nothing else of eossr is changed.
"""

from __future__ import annotations

import contextlib
import json
import sys
import warnings


class Offline(ConnectionError):
    pass


def _point_at(url: str) -> None:
    import eossr.api.zenodo as package
    import eossr.api.zenodo.zenodo as module
    from eossr.metadata.codemeta2zenodo import converters

    base = url.rstrip("/") + "/api/"
    for target in (module, package):
        target.zenodo_api_base_url = base
        target.zenodo_sandbox_api_base_url = base

    def spdx_offline(open_only=True):
        raise Offline("the SPDX licence list (raw.githubusercontent.com) is not reachable here")

    converters.spdx_licenses = spdx_offline


def _error(err: BaseException) -> dict:
    return {"type": type(err).__name__, "message": str(err)}


def _validate(document) -> dict:
    from eossr.metadata.codemeta import Codemeta

    out: dict = {"result": None, "error": None, "warnings": []}
    handler = Codemeta(document)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            out["result"] = handler.validate()
        except Exception as err:  # the reference's own words
            out["error"] = _error(err)
    out["warnings"] = [f"{w.category.__name__}: {w.message}" for w in caught]
    try:
        out["missing_required"] = [str(k) for k in handler.missing_keys("required")]
        out["missing_recommended"] = [str(k) for k in handler.missing_keys("recommended")]
    except Exception as err:
        out["missing_error"] = _error(err)
    return out


def convert(documents: list) -> list:
    from eossr.metadata.codemeta2zenodo import codemeta2zenodo

    results = []
    for document in documents:
        result: dict = {"zenodo": None, "error": None}
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                result["zenodo"] = codemeta2zenodo(json.loads(json.dumps(document)))
            except Exception as err:
                result["error"] = _error(err)
        result["warnings"] = [f"{w.category.__name__}: {w.message}" for w in caught]
        result["validate"] = _validate(json.loads(json.dumps(document)))
        results.append(result)
    return results


def crosswalk() -> dict:
    from eossr.metadata.codemeta import codemeta_crosswalk

    columns = ["Property", "Type", "Zenodo", "ZenodoContributorType", "OSSR Requirement Level"]
    return {
        version: [
            [str(row[c]) for c in columns] for _, row in codemeta_crosswalk(version).iterrows()
        ]
        for version in ("1.0", "2.0", "3.0")
    }


def main(argv: list[str]) -> int:
    command = argv[0]
    if command == "version":
        import eossr

        print(eossr.__version__)
        return 0
    if command == "crosswalk":
        json.dump(crosswalk(), sys.stdout)
        return 0
    url = argv[argv.index("--zenodo") + 1]
    _point_at(url)
    if command == "convert":
        documents = json.load(sys.stdin)
        with contextlib.redirect_stdout(sys.stderr):  # eossr prints "CodeMeta is valid"
            results = convert(documents)
        json.dump(results, sys.stdout, default=str)
        return 0
    if command == "upload":
        from eossr.scripts import eossr_upload_repository

        sys.argv = ["eossr-upload-repository", *argv[argv.index("--") + 1 :]]
        eossr_upload_repository.main()
        return 0
    print(f"unknown command {command}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
