"""#21: the snippet "Copy Python" inserts uses the kernel API, which fetches through the Jupyter
server: no Rucio client in the kernel (it failed with "No module named 'rucio'")."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import pytest

DID = "escape_opendata:crab_nebula_sample.003.fits"
TESTBED_TLS = {"EscapeRucio": {"ca_bundle": lambda tb: str(tb.ca_cert)}}


@pytest.fixture
def lab(jp_serverapp, http_server_client, jp_http_port, jp_base_url, jp_auth_header, jp_root_dir):
    from jupyterlab_escape.kernel import EscapeServer

    token = jp_auth_header["Authorization"].split(" ", 1)[1]
    return EscapeServer(f"http://127.0.0.1:{jp_http_port}{jp_base_url}", token, str(jp_root_dir))


@pytest.mark.escape_config(TESTBED_TLS)
async def test_kernel_fetch_lands_the_file_and_says_where_from_the_notebook(
    lab, jp_root_dir, monkeypatch
):
    from jupyterlab_escape.kernel import fetch

    notebook_dir = Path(jp_root_dir) / "analysis"
    notebook_dir.mkdir()
    monkeypatch.chdir(notebook_dir)
    result = await asyncio.to_thread(fetch, DID, interval=0.1, server=lab)
    assert result["state"] == "done"
    [entry] = result["paths"]
    assert entry["did"] == DID
    on_disk = Path(jp_root_dir) / entry["path"]
    assert on_disk.is_file() and on_disk.stat().st_size == 55_000
    [local] = result["local_paths"]
    assert local.startswith("../") and (notebook_dir / local).resolve() == on_disk.resolve()


def test_the_kernel_api_imports_without_a_rucio_client():
    """The kernel side never imports rucio: the snippet must run in a kernel without it."""
    code = (
        "import sys; sys.modules['rucio'] = None\n"
        "from jupyterlab_escape.kernel import fetch, upload\n"
        "print('ok')"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"
