"""A notebook with a provenance record of each kind, for the crate tests."""

from __future__ import annotations

import json
from pathlib import Path

RUN = "3fa85f64-5717-4562-b3fc-2c963f66afa6"


def provenance(run: str = RUN, spec_path: str | None = "analysis/reana.yaml") -> dict:
    return {
        "version": 1,
        "dids_used": [
            {
                "instance": "escape",
                "scope": "escape_cta",
                "name": "gamma_1.h5",
                "type": "file",
                "bytes": 1024,
                "adler32": "0a1b2c3d",
                "md5": "9e107d9d372bb6826bd81d3542a419d6",
                "path": "datalake/escape_cta/gamma_1.h5",
                "mode": "download",
                "recorded": "2026-11-26T03:00:00Z",
            },
            {
                "instance": "escape",
                "scope": "escape_cta",
                "name": "gamma_set",
                "type": "dataset",
                "bytes": None,
                "adler32": None,
                "md5": None,
                "mode": "workflow_stream",
            },
        ],
        "workflows": [
            {
                "id": run,
                "name": "analysis",
                "run_number": "3",
                "engine": "serial",
                "spec_sha256": "a" * 64,
                "spec_path": spec_path,
                "parameters": {"events": 1000, "model": "gauss"},
                "status": "finished",
                "created": "2026-11-26T03:00:00Z",
                "started": "2026-11-26T03:00:05Z",
                "finished": "2026-11-26T03:01:00Z",
                "inputs": ["escape_cta:gamma_1.h5", "escape_cta:gamma_set"],
            }
        ],
        "dids_produced": [
            {
                "instance": "escape",
                "scope": "escape_opendata",
                "name": "analysis.3.fit.json",
                "type": "file",
                "bytes": 2048,
                "adler32": "deadbeef",
                "md5": "e4d909c290d0fb1ca068ffaddf22cbd0",
                "dataset": "escape_opendata:analysis.3",
                "rse": "ESCAPE_USERDISK",
                "workflow": run,
            },
            {
                "instance": "escape",
                "scope": "escape_opendata",
                "name": "analysis.3",
                "type": "dataset",
                "bytes": None,
                "adler32": None,
                "md5": None,
                "workflow": run,
            },
        ],
        "software": [
            {
                "record_id": "1234567",
                "doi": "10.5281/zenodo.1234567",
                "version": "v1.2",
                "title": "gammapy",
                "action": "cited",
            },
            {"record_id": "7654321", "doi": None, "action": "installed", "title": "ctapipe"},
        ],
    }


def notebook(escape: dict) -> dict:
    return {
        "cells": [
            {
                "cell_type": "code",
                "source": "x = 1",
                "metadata": {},
                "outputs": [],
                "execution_count": None,
            }
        ],
        "metadata": {"escape": escape},
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def write_notebook(root: Path, path: str, escape: dict) -> Path:
    return write_notebook_json(root, path, notebook(escape))


def write_notebook_json(root: Path, path: str, content: dict) -> Path:
    target = Path(root) / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(content))
    return target
