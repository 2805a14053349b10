"""The kernel side under a real JupyterHub: a notebook kernel of a spawned single-user server finds
its server (URL, token, root directory) from the hub's environment, and a %%reana cell's inputs
resolve against the notebook's folder."""

from __future__ import annotations

import json
import time
from pathlib import Path

import httpx
import pytest
from jupyter_client import BlockingKernelClient

CELL = """%%reana
inputs:
  files: [data.csv, missing.csv]
workflow:
  type: serial
  specification:
    steps:
      - environment: 'docker.io/library/python:3.11'
        commands: [cat data.csv]
"""

PROBE = """
import json, os
from jupyterlab_escape.kernel.api import EscapeServer
if DROP_URL:
    os.environ.pop("JUPYTERHUB_SERVICE_URL", None)
server = EscapeServer.find()
answer = server.post("escape/workflows/validate", {"cell": CELL, "cwd": os.getcwd()})
print(json.dumps({"url": server.url, "root": server.root_dir, "cwd": os.getcwd(),
                  "hub_token": server.token == os.environ["JUPYTERHUB_API_TOKEN"],
                  "issues": answer["issues"], "inputs": answer["inputs"]}))
"""


@pytest.fixture
def hub_kernel(hub_testbed):
    """A python3 kernel of the test user's single-user server, for a notebook in analysis/."""
    home = hub_testbed.state / "home" / hub_testbed.user
    (home / "analysis").mkdir(parents=True, exist_ok=True)
    (home / "analysis" / "data.csv").write_text("x,y\n1,2\n")
    with hub_testbed.admin() as api:
        api.post(f"users/{hub_testbed.user}/server")
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            server = api.get(f"users/{hub_testbed.user}").json()["servers"].get("")
            if server and server.get("ready"):
                break
            time.sleep(0.5)
        else:
            raise AssertionError("the single-user server did not become ready")
        token = hub_testbed.secrets()["service_token"]
        with httpx.Client(
            base_url=f"{hub_testbed.url}/user/{hub_testbed.user}/",
            headers={"Authorization": f"token {token}"},
            timeout=60,
        ) as lab:
            session = lab.post(
                "api/sessions",
                json={
                    "path": "analysis/nb.ipynb",
                    "type": "notebook",
                    "name": "nb.ipynb",
                    "kernel": {"name": "python3"},
                },
            ).raise_for_status()
            kernel_id = session.json()["kernel"]["id"]
            files = list(home.glob(f".local/share/jupyter/runtime/kernel-{kernel_id}.json"))
            assert files, "the kernel's connection file is not in the user's runtime folder"
            client = BlockingKernelClient(connection_file=str(files[0]))
            client.load_connection_file()
            client.start_channels()
            client.wait_for_ready(timeout=60)
            try:
                yield client, home
            finally:
                client.stop_channels()
                api.delete(f"users/{hub_testbed.user}/server")


def run(client, code: str) -> dict:
    out: list[str] = []

    def hook(message):
        if message["msg_type"] == "stream":
            out.append(message["content"]["text"])
        elif message["msg_type"] == "error":
            out.append("\n".join(message["content"]["traceback"]))

    client.execute_interactive(code, output_hook=hook, timeout=120)
    text = "".join(out)
    assert text.strip().startswith("{"), text
    return json.loads(text)


@pytest.mark.parametrize("drop_url", [False, True], ids=["service-url", "prefix-only"])
def test_the_kernel_finds_its_server_under_the_hub(hub_testbed, hub_kernel, drop_url):
    client, home = hub_kernel
    found = run(client, f"CELL = {CELL!r}\nDROP_URL = {drop_url}\n{PROBE}")
    assert found["url"].startswith("http://127.0.0.1:")
    assert found["url"].endswith(f"/user/{hub_testbed.user}/")
    assert found["hub_token"] is True  # the server token, sent as Authorization: token ...
    assert Path(found["root"]).resolve() == home.resolve()  # from the server's runtime file
    assert Path(found["cwd"]).resolve() == (home / "analysis").resolve()
    # Inputs resolve against the notebook's folder: data.csv is found next to the notebook.
    assert found["inputs"]["files"] == [{"name": "data.csv", "size": 8}]
    assert [i["code"] for i in found["issues"]] == ["missing_input"]
    assert "missing.csv" in found["issues"][0]["message"]
