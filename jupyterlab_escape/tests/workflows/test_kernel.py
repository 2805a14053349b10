"""The kernel side of the launcher: %%reana parsing (on the server), finding the Jupyter
server, and the Python API (submit, status, wait, outputs) against a real Jupyter server and
the REANA stand-in.

The API is synchronous (it runs in a kernel); here it runs in a thread while the test's event
loop serves the Jupyter server.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from jupyterlab_escape.kernel import api, magic
from jupyterlab_escape.kernel.api import EscapeKernelError, EscapeServer, bundle
from jupyterlab_escape.kernel.magic import run_cell
from jupyterlab_escape.workflows.cell import CellError, parse_cell, parse_options
from jupyterlab_escape.workflows.prepare import prepare_text

from .conftest import SPEC

# -- %%reana parsing ---------------------------------------------------------------------------


def test_magic_options():
    assert parse_options(" -n fit -p events=1000 -p 'model=two words' --wait") == (
        "fit",
        {"events": "1000", "model": "two words"},
        True,
    )
    assert parse_options("") == (None, {}, False)
    assert parse_options("--name x --parameter a=") == ("x", {"a": ""}, False)
    for bad, why in (
        ("-n", "needs a value"),
        ("-p events", "key=value"),
        ("--fast", "unknown option '--fast'"),
        ("-n 'unclosed", "No closing quotation"),
    ):
        with pytest.raises(CellError, match=why):
            parse_options(bad)


def test_parse_cell_raw_and_magic():
    raw = parse_cell("version: 0.9.0\nworkflow: {}\n")
    assert (raw.spec, raw.line_offset, raw.name) == ("version: 0.9.0\nworkflow: {}\n", 0, None)
    cell = parse_cell("%%reana -n fit --wait\nversion: 0.9.0\n")
    assert (cell.spec, cell.line_offset, cell.name, cell.wait) == (
        "version: 0.9.0\n",
        1,
        "fit",
        True,
    )
    with pytest.raises(CellError, match="is not %%reana"):
        parse_cell("%%reanalyse\nversion: 1\n")
    with pytest.raises(CellError, match=r"specification \(YAML\) below the %%reana line"):
        parse_cell("%%reana -n x\n  \n")
    with pytest.raises(CellError, match=r"specification \(YAML\) in the cell"):
        parse_cell(" \n")
    with pytest.raises(CellError) as caught:
        parse_cell("%%reana --bogus\nversion: 1\n")
    assert (caught.value.status, caught.value.code) == (400, "reana_bad_cell")


def test_inline_spec_line_numbers_count_from_the_cell(tmp_path):
    (tmp_path / "nb").mkdir()
    prepared = prepare_text(tmp_path, "nb", "version: 0.9.0\nworkflow: a: b\n", line_offset=1)
    (issue,) = prepared.issues
    assert issue.line == 3  # YAML line 2 is the cell's line 3, under the %%reana line
    assert not prepared.valid


def test_inline_spec_inputs_resolve_against_the_notebook_folder(tmp_path):
    base = tmp_path / "work" / "nb"
    (base / "code").mkdir(parents=True)
    (base / "data" / "raw").mkdir(parents=True)
    (base / "code" / "fit.py").write_text("print(1)\n")
    (base / "data" / "events.csv").write_text("a\n")
    prepared = prepare_text(tmp_path, "work/nb", SPEC)
    assert prepared.valid, [i.to_json() for i in prepared.issues]
    sent = sorted(f.name for f in prepared.plan.files)
    assert sent == ["code/fit.py", "data/events.csv"]  # no reana.yaml: the spec is inline
    (base / "code" / "fit.py").unlink()
    missing = prepare_text(tmp_path, "work/nb", SPEC)
    assert any(
        "'code/fit.py' does not exist next to the notebook" in i.message for i in missing.issues
    )


# -- finding the server ------------------------------------------------------------------------


def test_server_from_explicit_environment(monkeypatch):
    monkeypatch.setenv("JUPYTERLAB_ESCAPE_URL", "http://lab.example:8888/user/ana")
    monkeypatch.setenv("JUPYTERLAB_ESCAPE_TOKEN", "t0k")
    assert EscapeServer.find() == EscapeServer("http://lab.example:8888/user/ana/", "t0k")


def test_server_under_jupyterhub(monkeypatch):
    monkeypatch.delenv("JUPYTERLAB_ESCAPE_URL", raising=False)
    monkeypatch.setenv("JUPYTERHUB_SERVICE_URL", "http://127.0.0.1:40123/user/ana/")
    monkeypatch.setenv("JUPYTERHUB_API_TOKEN", "hub-token")
    server = EscapeServer.find()
    assert (server.url, server.token) == ("http://127.0.0.1:40123/user/ana/", "hub-token")


def test_server_from_runtime_files(monkeypatch, tmp_path):
    for name in ("JUPYTERLAB_ESCAPE_URL", "JUPYTERHUB_SERVICE_URL", "JUPYTERHUB_API_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    other, mine = tmp_path / "other", tmp_path / "mine"
    (mine / "sub").mkdir(parents=True)
    other.mkdir()
    servers = [
        {"url": "http://localhost:8001/", "token": "a", "root_dir": str(other), "pid": 11},
        {"url": "http://localhost:8002/", "token": "b", "root_dir": str(mine), "pid": 22},
    ]
    monkeypatch.setattr(api, "_running_servers", lambda: servers)
    monkeypatch.setenv("JPY_PARENT_PID", "11")
    assert EscapeServer.find().token == "a"  # the server that started this kernel
    monkeypatch.setenv("JPY_PARENT_PID", "99")
    monkeypatch.chdir(mine / "sub")
    assert EscapeServer.find().token == "b"  # else the one whose root holds the cwd
    monkeypatch.setattr(api, "_running_servers", lambda: [])
    with pytest.raises(EscapeKernelError, match="No running Jupyter server"):
        EscapeServer.find()


def test_bundle_has_a_text_fallback_and_no_secret():
    data = bundle({"id": "abc", "name": "fit", "run_number": "3", "status": "queued"})
    assert data["text/plain"] == "REANA workflow fit.3: queued"
    snapshot = {"status": "finished", "progress": {"finished": 2, "total": 2}}
    done = bundle({"id": "abc", "name": "fit", "run_number": "3"}, snapshot)
    assert done["text/plain"] == "REANA workflow fit.3: finished (2/2 jobs)"
    assert done[api.MIME]["snapshot"] == snapshot


# -- against the Jupyter server and the REANA stand-in -----------------------------------------


@pytest.fixture
def lab(jp_serverapp, http_server_client, jp_http_port, jp_base_url, jp_auth_header, jp_root_dir):
    """The running Jupyter server as a kernel would see it (http_server_client makes it listen)."""
    token = jp_auth_header["Authorization"].split(" ", 1)[1]
    return EscapeServer(f"http://127.0.0.1:{jp_http_port}{jp_base_url}", token, str(jp_root_dir))


async def test_submit_wait_and_download_outputs_through_the_server(lab, project, jp_root_dir):
    stages = []
    workflow = await asyncio.to_thread(
        api.submit,
        SPEC,
        "kernel-fit",
        {"events": 7},
        base=project,
        server=lab,
        progress=lambda e: stages.append(e["stage"]),
    )
    assert stages[0] == "validated" and stages[-1] == "started"
    assert workflow["name"] == "kernel-fit" and workflow["run_number"]
    final = await asyncio.to_thread(api.wait, workflow, interval=0.3, timeout=120, server=lab)
    assert final["status"] == "finished"
    assert final["progress"]["finished"] == final["progress"]["total"] == 2
    got = await asyncio.to_thread(api.outputs, workflow, download=True, server=lab)
    assert got["folder"] == f"reana/kernel-fit.{workflow['run_number']}" and not got["missing"]
    assert got["files"]
    for path in got["files"]:
        assert (Path(jp_root_dir) / path).is_file()


async def test_magic_reports_yaml_errors_with_the_cells_line_numbers(lab, monkeypatch, project):
    monkeypatch.setattr(EscapeServer, "find", classmethod(lambda cls: lab))
    monkeypatch.chdir(project)
    shown = []
    with pytest.raises(EscapeKernelError, match=r"line 3"):
        await asyncio.to_thread(
            run_cell,
            "-n broken",
            "version: 0.9.0\nworkflow: a: b\n",
            lambda *a, **k: shown.append(a),
        )
    assert shown == []  # nothing submitted, nothing displayed
    with pytest.raises(EscapeKernelError, match="unknown option"):
        await asyncio.to_thread(run_cell, "--fast", SPEC, lambda *a, **k: None)


async def test_magic_displays_the_workflow_bundle(lab, monkeypatch, project):
    monkeypatch.setattr(EscapeServer, "find", classmethod(lambda cls: lab))
    monkeypatch.chdir(project)
    shown = []

    def display(data, raw, display_id):
        shown.append(data)

    await asyncio.to_thread(run_cell, "-n magicfit -p events=5", SPEC, display)
    (data,) = shown
    assert data[api.MIME]["name"] == "magicfit" and data[api.MIME]["id"]
    assert data["text/plain"].startswith("REANA workflow magicfit.")


async def test_server_unreachable_is_said_plainly(closed_port):
    server = EscapeServer(f"http://127.0.0.1:{closed_port}/", "x")
    with pytest.raises(EscapeKernelError, match="cannot be reached"):
        await asyncio.to_thread(api.status, "abc", server=server)


async def test_wrong_jupyter_token_is_refused(lab):
    stranger = EscapeServer(lab.url, "not-the-token", lab.root_dir)
    with pytest.raises(EscapeKernelError, match="403"):
        await asyncio.to_thread(api.status, "abc", server=stranger)


@pytest.mark.escape_config({"EscapeReana": {"access_token": "wrong-token-xyz"}})
async def test_reana_unauthorised_comes_back_as_the_servers_message(lab, project):
    with pytest.raises(EscapeKernelError, match="REANA refused the access token") as caught:
        await asyncio.to_thread(api.submit, SPEC, base=project, server=lab)
    assert "wrong-token-xyz" not in str(caught.value)


async def test_load_ext_registers_the_cell_magic_and_errors_are_usage_errors(
    lab, monkeypatch, project
):
    from IPython.core.error import UsageError
    from IPython.core.interactiveshell import InteractiveShell

    monkeypatch.setattr(EscapeServer, "find", classmethod(lambda cls: lab))
    monkeypatch.chdir(project)
    shell = InteractiveShell.instance()
    shell.run_line_magic("load_ext", "jupyterlab_escape")
    assert "reana" in shell.magics_manager.magics["cell"]
    result = await asyncio.to_thread(shell.run_cell, "%%reana --fast\nversion: 0.9.0\n")
    assert isinstance(result.error_in_exec, UsageError)
    assert "unknown option '--fast'" in str(result.error_in_exec)


async def test_magic_with_wait_follows_the_run_to_its_end(lab, monkeypatch, project):
    monkeypatch.setattr(EscapeServer, "find", classmethod(lambda cls: lab))
    monkeypatch.chdir(project)
    monkeypatch.setattr(magic, "wait", lambda w: api.wait(w, interval=0.3, timeout=120))
    updates = []

    class Handle:
        def update(self, data, raw):
            updates.append(data)

    final = await asyncio.to_thread(run_cell, "-n waitfit --wait", SPEC, lambda *a, **k: Handle())
    assert final["status"] == "finished"
    assert updates[-1][api.MIME]["snapshot"]["status"] == "finished"
