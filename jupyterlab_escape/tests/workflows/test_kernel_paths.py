"""#21: the kernel's outputs(download=True) also gives the paths from the kernel's working
directory (the notebook's folder), so the notebook's own code finds what was downloaded."""

from __future__ import annotations

from jupyterlab_escape.kernel.api import EscapeServer, outputs


class _Server(EscapeServer):
    def __init__(self, root: str):
        super().__init__("http://127.0.0.1:1/", "", root)
        self.sent: list = []

    def post(self, path, body):
        self.sent.append((path, body))
        return {
            "folder": "reana/fit.1",
            "files": ["reana/fit.1/results/fit.json"],
            "missing": [],
            "renamed": [],
            "skipped": [],
            "message": "",
        }


def test_downloaded_outputs_are_also_given_from_the_working_directory(tmp_path, monkeypatch):
    notebook_folder = tmp_path / "papers" / "crab"
    notebook_folder.mkdir(parents=True)
    monkeypatch.chdir(notebook_folder)
    server = _Server(str(tmp_path))
    got = outputs("w-1", download=True, server=server)
    assert server.sent == [("escape/workflows/workflows/w-1/outputs", {"dest": None})]
    assert got["folder"] == "reana/fit.1"
    assert got["local_folder"] == "../../reana/fit.1"
    assert got["local_files"] == ["../../reana/fit.1/results/fit.json"]


def test_without_a_known_root_the_answer_is_as_the_server_gave_it(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    got = outputs("w-1", download=True, server=_Server(""))
    assert "local_folder" not in got and got["folder"] == "reana/fit.1"


class _Submitting(_Server):
    def stream(self, path, body):
        self.sent.append((path, body))
        yield {"stage": "validated"}
        yield {
            "stage": "started",
            "workflow_id": "w-9",
            "workflow_name": "fit.3",
            "run_number": "3",
            "status": "queued",
        }


def test_a_run_submitted_from_code_shows_its_status_output(tmp_path, monkeypatch):
    """#21: runs started from the kernel API were not counted in the notebook's toolbar: in a
    notebook the run's status output (the MIME bundle the toolbar counts) is shown."""
    from jupyterlab_escape.kernel import api

    shown: list[dict] = []
    monkeypatch.setattr(api, "_display", shown.append)
    monkeypatch.chdir(tmp_path)
    workflow = api.submit("version: 0.9.0\n", server=_Submitting(str(tmp_path)), show=True)
    assert workflow["id"] == "w-9" and workflow["name"] == "fit"
    [data] = shown
    assert data[api.MIME] == {"id": "w-9", "name": "fit", "run_number": "3", "status": "queued"}
    assert data["text/plain"] == "REANA workflow fit.3: queued"
    # Outside a kernel (a script, this test), nothing is shown by default.
    api.submit("version: 0.9.0\n", server=_Submitting(str(tmp_path)))
    assert len(shown) == 1
