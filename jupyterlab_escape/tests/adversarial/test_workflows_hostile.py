"""Hostile REANA specs, notebook folders and REANA answers against the workflows slice.

The server's root directory here is the user's home directory, as under JupyterHub: the Jupyter
data folder (with our credential store) and the runtime folder (``jpserver-*.json``) live in
``.local/share/jupyter`` inside it, next to a planted ``.ssh/id_rsa``. REANA is a hostile double
(in this file) that records every workflow created and every file uploaded, and answers with the
output names, workflow names and archives a test chooses.

Every case asserts the exact refusal and, with ``writes``, that nothing was written outside the
folder it allows (most allow nothing at all).
"""

from __future__ import annotations

import asyncio
import io
import json
import re
import uuid
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import tornado.web
from tornado.httpclient import HTTPClientError

from jupyterlab_escape.kernel import api
from jupyterlab_escape.kernel.api import EscapeKernelError, EscapeServer

from ..doubles import free_port

SECRET = b"-----BEGIN OPENSSH PRIVATE KEY----- planted-secret-3c9e"
TOKEN_JSON = '{"url": "http://localhost:8888/", "token": "planted-jpserver-token-77aa"}\n'

STEPS = """\
workflow:
  type: serial
  specification:
    steps:
      - {name: fit, environment: busybox, commands: [ls]}
"""

# Nine nested aliases, nine times each: 9**8 nodes from 400 bytes.
LAUGHS = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [" + ",".join([f"*{chr(97 + i)}"] * 9) + "]\n" for i in range(8)
)
# Our own job list (submissions are jobs, saved per workspace): the one file we may write there.
JOBS = ("home/.local/share/jupyter/jupyterlab_escape/jobs-",)
ALIAS_REFUSAL = (
    "YAML aliases expand to more than 10000 nodes (here at alias *d); write the values out "
    "instead of using anchors and aliases"
)


# -- a hostile REANA ------------------------------------------------------------------------------


@dataclass
class HostileState:
    full_name: str = "evil.1"
    outputs: list = field(default_factory=list)
    files: dict = field(default_factory=dict)  # workspace path -> (content type, bytes)
    created: list = field(default_factory=list)  # (name, raw JSON body)
    uploaded: dict = field(default_factory=dict)  # file_name -> bytes


class _Api(tornado.web.RequestHandler):
    def initialize(self, state: HostileState):
        self.state = state

    def check_xsrf_cookie(self):
        pass

    def answer(self, body, status: int = 200):
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(body))

    def get(self, path: str):
        state = self.state
        if path in ("ping", "config"):
            return self.answer({"message": "OK", "status": "200", "polling_secs": 15})
        if path == "info":
            return self.answer({"compute_backends": {"value": ["kubernetes"]}})
        match = re.fullmatch(r"workflows/([^/]+)/(status|specification|workspace/(.+))", path)
        if not match:
            return self.answer({"message": "no such endpoint"}, 404)
        ref, what, name = match.groups()
        if what == "status":
            return self.answer(
                {"id": ref, "name": state.full_name, "status": "finished", "progress": {}}
            )
        if what == "specification":
            outputs = {"files": state.outputs}
            return self.answer({"specification": {"outputs": outputs}, "parameters": {}})
        if name not in state.files:
            return self.answer({"message": f"{name} does not exist."}, 404)
        kind, content = state.files[name]
        self.set_header("Content-Type", kind)
        self.finish(content)

    def post(self, path: str):
        state = self.state
        ref = str(uuid.uuid4())
        if path == "workflows":
            name = self.get_query_argument("workflow_name")
            state.created.append((name, self.request.body))
            return self.answer({"message": "ok", "workflow_id": ref, "workflow_name": f"{name}.1"})
        match = re.fullmatch(r"workflows/([^/]+)/(workspace|start)", path)
        if match and match.group(2) == "workspace":
            state.uploaded[self.get_query_argument("file_name")] = self.request.body
            return self.answer({"message": "uploaded"})
        if match:
            name = state.created[-1][0] if state.created else "x"
            return self.answer(
                {
                    "workflow_id": match.group(1),
                    "workflow_name": f"{name}.1",
                    "status": "queued",
                    "run_number": 1,
                }
            )
        return self.answer({"message": "no such endpoint"}, 404)


class HostileReana:
    def __init__(self):
        self.state = HostileState()
        app = tornado.web.Application(
            [(r"/api/(.*)", _Api, {"state": self.state})], log_function=lambda h: None
        )
        self.port = free_port()
        self.server = app.listen(self.port, address="127.0.0.1")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@pytest.fixture
def reana():
    double = HostileReana()
    yield double
    double.server.stop()


@pytest.fixture
def hostile(reana) -> HostileState:
    return reana.state


@pytest.fixture
def escape_config(escape_config, reana):
    escape_config["EscapeReana"] = {"url": reana.url, "access_token": "hostile-test-token"}
    return escape_config


# The server's root is the home directory, with Jupyter's own folders inside it (JupyterHub).
@pytest.fixture
def jp_root_dir(jp_home_dir):
    return jp_home_dir


@pytest.fixture
def jp_data_dir(jp_home_dir):
    path = jp_home_dir / ".local" / "share" / "jupyter"
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture
def jp_runtime_dir(jp_data_dir):
    path = jp_data_dir / "runtime"
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture
def home(jp_home_dir, jp_data_dir, jp_runtime_dir) -> Path:
    """A home with secrets in the usual places and an analysis cloned from someone else."""
    (jp_home_dir / ".ssh").mkdir(exist_ok=True)
    (jp_home_dir / ".ssh" / "id_rsa").write_bytes(SECRET)
    store = jp_data_dir / "jupyterlab_escape"
    store.mkdir(exist_ok=True)
    (store / "rucio-credentials-default.json").write_text('{"password": "planted-rucio-pw"}')
    (jp_runtime_dir / "jpserver-4242.json").write_text(TOKEN_JSON)
    analysis = jp_home_dir / "analysis"
    (analysis / "code").mkdir(parents=True, exist_ok=True)
    (analysis / "code" / "fit.py").write_text("print('fit')\n")
    (analysis / "data").mkdir(exist_ok=True)
    (analysis / "data" / "events.csv").write_text("a,b\n1,2\n")
    return jp_home_dir


def armed(writes) -> None:
    """Start the watch now: what the test planted so far is the user's own starting point."""
    writes.before = writes._state()


def spec_with(inputs: str = "", workflow: str = STEPS) -> str:
    return (f"inputs:\n{inputs}" if inputs else "") + workflow


async def post(jp_fetch, *path, body):
    response = await jp_fetch(
        "escape", "workflows", *path, method="POST", body=json.dumps(body), request_timeout=60
    )
    if response.headers.get("Content-Type", "").startswith("application/x-ndjson"):
        return [json.loads(line) for line in response.body.decode().splitlines() if line.strip()]
    return json.loads(response.body)


async def refused(jp_fetch, *path, body) -> tuple[int, dict]:
    with pytest.raises(HTTPClientError) as caught:
        await post(jp_fetch, *path, body=body)
    return caught.value.code, json.loads(caught.value.response.body)["error"]


async def validate(jp_fetch, **body) -> dict:
    return await post(jp_fetch, "validate", body=body)


async def submit(jp_fetch, **body):
    return await post(jp_fetch, "submit", body={"idempotency_key": uuid.uuid4().hex, **body})


def errors(answer: dict) -> list[tuple[str, str, int | None]]:
    return [
        (i["path"], i["message"], i["line"]) for i in answer["issues"] if i["severity"] == "error"
    ]


def uploaded_anything_secret(state: HostileState) -> list[str]:
    bodies = list(state.uploaded.items()) + [(n, b) for n, b in state.created]
    return [name for name, body in bodies if SECRET in body or b"planted-" in body]


# -- finding 2: YAML bombs ------------------------------------------------------------------------

INDENTED_LAUGHS = "".join(f"    {line}\n" for line in LAUGHS.splitlines())
BOMBS = {
    "billion-laughs": (LAUGHS + STEPS, ALIAS_REFUSAL, 5),
    # In the parameters, the validate answer itself would be the 58 MB of JSON.
    "laughs-in-parameters": (
        "inputs:\n  parameters:\n" + INDENTED_LAUGHS + STEPS,
        ALIAS_REFUSAL,
        7,
    ),
    "recursive-alias": (
        "loop: &x [1, *x]\n" + STEPS,
        "alias *x refers to the node that contains it (a recursive structure, which REANA "
        "cannot use)",
        1,
    ),
    "deep-nesting": (
        "deep: " + "[" * 3000 + "]" * 3000 + "\n" + STEPS,
        "the document is nested more than 100 levels deep",
        1,
    ),
}


@pytest.mark.parametrize("bomb", BOMBS)
async def test_bomb_in_a_spec_file_is_refused_before_anything_is_created(
    jp_fetch, home, hostile, bomb, writes
):
    text, message, line = BOMBS[bomb]
    (home / "analysis" / "reana.yaml").write_text(text)
    armed(writes)
    answer = await validate(jp_fetch, path="analysis/reana.yaml")
    assert answer["valid"] is False
    assert errors(answer) == [("(top level)", message, line)]
    code, error = await refused(
        jp_fetch, "submit", body={"path": "analysis/reana.yaml", "idempotency_key": "k" * 16}
    )
    assert (code, error["code"]) == (400, "reana_invalid_spec")
    assert error["message"] == (
        f"analysis/reana.yaml cannot be submitted: (top level) {message} (line {line})."
    )
    assert hostile.created == [] and hostile.uploaded == {}
    writes.assert_nothing(ignore=JOBS)


@pytest.mark.parametrize("bomb", BOMBS)
async def test_bomb_in_a_cell_is_refused_with_the_cells_line(jp_fetch, home, hostile, bomb, writes):
    text, message, line = BOMBS[bomb]
    body = {"spec_text": text, "base": "analysis", "line_offset": 1}
    armed(writes)
    answer = await validate(jp_fetch, **body)
    assert errors(answer) == [("(top level)", message, line + 1)]
    code, error = await refused(jp_fetch, "submit", body={**body, "idempotency_key": "c" * 16})
    assert (code, error["code"]) == (400, "reana_invalid_spec")
    assert error["message"].endswith(f"(top level) {message} (line {line + 1}).")
    assert hostile.created == []
    writes.assert_nothing(ignore=JOBS)


async def test_bomb_in_the_serial_workflow_file_is_refused(jp_fetch, home, hostile, writes):
    (home / "analysis" / "steps.yaml").write_text(LAUGHS)
    (home / "analysis" / "reana.yaml").write_text("workflow:\n  type: serial\n  file: steps.yaml\n")
    armed(writes)
    answer = await validate(jp_fetch, path="analysis/reana.yaml")
    assert errors(answer) == [("workflow.file", f"steps.yaml: {ALIAS_REFUSAL}", 5)]
    assert hostile.created == []
    writes.assert_nothing(ignore=JOBS)


# -- finding 3: what a spec can make us upload ----------------------------------------------------

BAD_INPUTS = {
    "dotdot": ("files", "../.ssh/id_rsa", "'../.ssh/id_rsa' leaves the reana.yaml folder ('..')"),
    "dotdot-dir": ("directories", "data/../..", "'data/../..' leaves the reana.yaml folder ('..')"),
    "absolute": (
        "files",
        "/etc/passwd",
        "'/etc/passwd' is absolute; use a path relative to the reana.yaml folder",
    ),
    "nul": ("files", '"code/fit.py\\0.txt"', "'code/fit.py\\x00.txt' is not a plain relative path"),
    "backslash": ("files", '"code\\\\fit.py"', "'code\\\\fit.py' is not a plain relative path"),
    "long-name": ("files", "x" * 300, f"'{'x' * 300}' has a name longer than 255 bytes"),
}


@pytest.mark.parametrize("case", BAD_INPUTS)
async def test_hostile_input_paths_are_refused_where_declared(
    jp_fetch, home, hostile, case, writes
):
    kind, entry, message = BAD_INPUTS[case]
    (home / "analysis" / "reana.yaml").write_text(spec_with(f"  {kind}:\n    - {entry}\n"))
    armed(writes)
    answer = await validate(jp_fetch, path="analysis/reana.yaml")
    assert errors(answer) == [(f"inputs.{kind}[0]", message, 3)]
    code, error = await refused(
        jp_fetch, "submit", body={"path": "analysis/reana.yaml", "idempotency_key": "p" * 16}
    )
    assert (code, error["code"]) == (400, "reana_invalid_spec")
    assert error["message"].endswith(f"inputs.{kind}[0] {message} (line 3).")
    assert hostile.created == [] and hostile.uploaded == {}
    writes.assert_nothing(ignore=JOBS)


LINKS = {
    # name in analysis/ -> (link target relative to analysis/, spec inputs, refused entry)
    "file-to-ssh-key": ("data.txt", "../.ssh/id_rsa", "files", "data.txt"),
    "folder-to-ssh": ("keys", "../.ssh", "directories", "keys"),
    "through-a-folder-link": (
        "cfg",
        "../.local",
        "files",
        "cfg/share/jupyter/runtime/jpserver-4242.json",
    ),
    "sibling-folder": ("other", "../elsewhere", "directories", "other"),
}


@pytest.mark.parametrize("case", LINKS)
async def test_links_leaving_the_specs_folder_are_refused(jp_fetch, home, hostile, case, writes):
    link, target, kind, entry = LINKS[case]
    (home / "elsewhere").mkdir()
    (home / "elsewhere" / "notes.txt").write_text("not part of this analysis")
    (home / "analysis" / link).symlink_to(target)
    (home / "analysis" / "reana.yaml").write_text(spec_with(f"  {kind}:\n    - {entry}\n"))
    message = f"{entry!r} is a link to a place outside the folder of reana.yaml; refused"
    armed(writes)
    answer = await validate(jp_fetch, path="analysis/reana.yaml")
    assert errors(answer) == [(f"inputs.{kind}[0]", message, 3)]
    code, error = await refused(
        jp_fetch, "submit", body={"path": "analysis/reana.yaml", "idempotency_key": "l" * 16}
    )
    assert (code, error["code"]) == (400, "reana_invalid_spec") and message in error["message"]
    assert hostile.created == [] and uploaded_anything_secret(hostile) == []
    writes.assert_nothing(ignore=JOBS)


async def test_links_inside_a_walked_folder_are_skipped(jp_fetch, home, hostile, writes):
    (home / "analysis" / "data" / "key").symlink_to("../../.ssh/id_rsa")
    (home / "analysis" / "reana.yaml").write_text(spec_with("  directories: [data]\n"))
    armed(writes)
    events = await submit(jp_fetch, path="analysis/reana.yaml", name="walked")
    assert events[-1]["stage"] == "started"
    assert sorted(hostile.uploaded) == ["data/events.csv", "reana.yaml"]
    assert uploaded_anything_secret(hostile) == []
    writes.assert_nothing(ignore=JOBS)


async def test_workflow_file_linked_to_a_server_token_is_refused(jp_fetch, home, hostile, writes):
    """A JSON file is YAML: a jpserver-*.json read as workflow.file would travel to REANA."""
    (home / "analysis" / "steps.yaml").symlink_to(
        "../.local/share/jupyter/runtime/jpserver-4242.json"
    )
    (home / "analysis" / "reana.yaml").write_text("workflow:\n  type: serial\n  file: steps.yaml\n")
    armed(writes)
    answer = await validate(jp_fetch, path="analysis/reana.yaml")
    message = "'steps.yaml' is a link to a place outside the folder of reana.yaml; refused"
    assert [i["message"] for i in answer["issues"]] == [message]
    code, error = await refused(
        jp_fetch, "submit", body={"path": "analysis/reana.yaml", "idempotency_key": "w" * 16}
    )
    assert code == 400 and message in error["message"]
    assert hostile.created == []
    writes.assert_nothing(ignore=JOBS)


PROTECTED = "is one of the Jupyter server's own runtime or credential files; it is never uploaded"


@pytest.mark.parametrize(
    "kind, entry",
    [
        ("files", ".local/share/jupyter/runtime/jpserver-4242.json"),
        ("files", ".local/share/jupyter/jupyterlab_escape/rucio-credentials-default.json"),
        ("directories", ".local/share/jupyter/jupyterlab_escape"),
        ("directories", ".local/share/jupyter/runtime"),
    ],
)
async def test_server_runtime_and_credential_files_are_never_uploaded(
    jp_fetch, home, hostile, kind, entry, writes
):
    (home / "reana.yaml").write_text(spec_with(f"  {kind}:\n    - {entry}\n"))
    armed(writes)
    answer = await validate(jp_fetch, path="reana.yaml")
    assert errors(answer) == [(f"inputs.{kind}[0]", f"{entry!r} {PROTECTED}", 3)]
    code, error = await refused(
        jp_fetch, "submit", body={"path": "reana.yaml", "idempotency_key": "r" * 16}
    )
    assert code == 400 and PROTECTED in error["message"]
    assert hostile.created == []
    writes.assert_nothing(ignore=JOBS)


async def test_walking_the_home_directory_leaves_hidden_entries_out(
    jp_fetch, home, hostile, writes
):
    (home / "reana.yaml").write_text(spec_with("  directories: ['.']\n"))
    armed(writes)
    answer = await validate(jp_fetch, path="reana.yaml")
    assert answer["valid"] is True
    sent = [f["name"] for f in answer["inputs"]["files"]]
    assert "analysis/code/fit.py" in sent
    assert not [n for n in sent if any(p.startswith(".") for p in n.split("/"))]
    skipped = {s["name"]: s["reason"] for s in answer["inputs"]["skipped"]}
    assert skipped[".ssh/"] == skipped[".local/"] == "hidden"
    [warning] = [i for i in answer["issues"] if i["severity"] == "warning"]
    assert warning["path"] == "inputs.directories[0]" and warning["line"] == 2
    assert warning["message"].startswith("hidden entries are not uploaded from '.': ")
    assert ".ssh/" in warning["message"] and ".local/" in warning["message"]
    assert warning["message"].endswith("; list one under inputs to send it")

    events = await submit(jp_fetch, path="reana.yaml", name="home")
    assert events[0]["stage"] == "validated" and events[-1]["stage"] == "started"
    assert events[0]["warnings"] == [f"inputs.directories[0] {warning['message']} (line 2)"]
    assert uploaded_anything_secret(hostile) == []
    assert not [n for n in hostile.uploaded if any(p.startswith(".") for p in n.split("/"))]
    writes.assert_nothing(ignore=JOBS)


async def test_a_hidden_path_listed_explicitly_is_sent(jp_fetch, home, hostile, writes):
    (home / "analysis" / ".env").write_text("MODEL=gauss\n")
    (home / "analysis" / "reana.yaml").write_text(spec_with("  files: [.env]\n"))
    armed(writes)
    events = await submit(jp_fetch, path="analysis/reana.yaml", name="dotenv")
    assert events[-1]["stage"] == "started"
    assert hostile.uploaded[".env"] == b"MODEL=gauss\n"
    writes.assert_nothing(ignore=JOBS)


async def test_a_listed_hidden_folder_still_keeps_the_servers_files_back(
    jp_fetch, home, hostile, writes
):
    (home / "reana.yaml").write_text(spec_with("  directories: [.local]\n"))
    armed(writes)
    answer = await validate(jp_fetch, path="reana.yaml")
    skipped = {s["name"]: s["reason"] for s in answer["inputs"]["skipped"]}
    assert skipped[".local/share/jupyter/runtime/"] == "protected"
    assert skipped[".local/share/jupyter/jupyterlab_escape/"] == "protected"
    warnings = [i["message"] for i in answer["issues"] if i["severity"] == "warning"]
    assert warnings == [
        "the Jupyter server's own runtime and credential files are never uploaded: "
        ".local/share/jupyter/jupyterlab_escape/, .local/share/jupyter/runtime/"
    ]
    sent = [f["name"] for f in answer["inputs"]["files"]]
    assert not [n for n in sent if "runtime/" in n or "jupyterlab_escape/" in n]
    writes.assert_nothing(ignore=JOBS)


async def test_a_spec_in_a_hidden_folder_is_refused(jp_fetch, home, hostile, writes):
    (home / ".cache").mkdir(exist_ok=True)
    (home / ".cache" / "reana.yaml").write_text(spec_with("  directories: ['.']\n"))
    armed(writes)
    code, error = await refused(jp_fetch, "validate", body={"path": ".cache/reana.yaml"})
    assert (code, error["code"]) == (400, "bad_path")
    assert error["message"] == (
        "Refused to use '.cache/reana.yaml': '.cache' is hidden (hidden files and folders are "
        "not written)."
    )
    writes.assert_nothing(ignore=JOBS)


# -- finding 3a: the kernel's folder, decided by the server ---------------------------------------


@pytest.mark.parametrize(
    "cwd, status, code, message",
    [
        (
            "{outside}",
            400,
            "bad_path",
            "The notebook's folder {outside} is outside the Jupyter server's root directory; "
            "inputs are only sent from inside it.",
        ),
        (
            "{home}/.ipython/profile_default",
            400,
            "bad_path",
            "Refused to use '.ipython/profile_default': '.ipython' is hidden (hidden files and "
            "folders are not written).",
        ),
        ("analysis", 400, "bad_request", "cwd must be the kernel's absolute folder."),
    ],
)
async def test_kernel_folder_outside_or_hidden_is_refused(
    jp_fetch, home, hostile, tmp_path, cwd, status, code, message, writes
):
    outside = tmp_path / "outside"
    outside.mkdir()
    (home / ".ipython" / "profile_default").mkdir(parents=True, exist_ok=True)
    names = {"outside": outside, "home": home}
    body = {"spec_text": spec_with("  directories: ['.']\n"), "cwd": cwd.format(**names)}
    armed(writes)
    got, error = await refused(jp_fetch, "submit", body={**body, "idempotency_key": "q" * 16})
    assert (got, error["code"], error["message"]) == (status, code, message.format(**names))
    assert hostile.created == []
    writes.assert_only("outside", ignore=JOBS)


@pytest.fixture
def lab(jp_serverapp, http_server_client, jp_http_port, jp_base_url, jp_auth_header):
    """The server as a kernel under JupyterHub sees it without JUPYTERHUB_ROOT_DIR: no root."""
    token = jp_auth_header["Authorization"].split(" ", 1)[1]
    return EscapeServer(f"http://127.0.0.1:{jp_http_port}{jp_base_url}", token, "")


async def test_kernel_without_the_root_sends_the_notebooks_folder(lab, home, hostile, writes):
    # Decoys at the home directory: an empty base used to resolve the inputs here.
    (home / "code").mkdir()
    (home / "code" / "fit.py").write_text("decoy at home\n")
    (home / "data").mkdir()
    spec = spec_with("  files: [code/fit.py]\n  directories: [data]\n")
    armed(writes)
    workflow = await asyncio.to_thread(api.submit, spec, "hub", base=home / "analysis", server=lab)
    assert workflow["name"] == "hub" and workflow["warnings"] == []
    assert hostile.uploaded == {"code/fit.py": b"print('fit')\n", "data/events.csv": b"a,b\n1,2\n"}
    writes.assert_nothing(ignore=JOBS)


async def test_kernel_outside_the_root_gets_the_servers_refusal(
    lab, home, hostile, tmp_path, writes
):
    armed(writes)
    with pytest.raises(EscapeKernelError) as caught:
        await asyncio.to_thread(api.submit, STEPS, base=tmp_path, server=lab)
    assert str(caught.value) == (
        f"The notebook's folder {tmp_path} is outside the Jupyter server's root directory; "
        "inputs are only sent from inside it."
    )
    assert hostile.created == []
    writes.assert_nothing(ignore=JOBS)


# -- findings 1 and 4: outputs written into the workspace -----------------------------------------

REF = "0f8fad5b-d9cb-469f-a165-70867728950e"

HOSTILE_OUTPUTS = {
    "dotfile": (".bashrc", "'.bashrc' is hidden (hidden files and folders are not written)"),
    "kernel-spec": (
        ".local/share/jupyter/kernels/evil/kernel.json",
        "'.local' is hidden (hidden files and folders are not written)",
    ),
    "hidden-inside": (
        "plots/.git/hooks/post-checkout",
        "'.git' is hidden (hidden files and folders are not written)",
    ),
    "dotdot": ("../../.bashrc", "it leaves the workspace"),
    "dotdot-inside": ("plots/../../../x.txt", "it leaves the workspace"),
    "absolute": ("/etc/cron.d/evil", "absolute paths are not allowed"),
    "nul": ("fit\x00.json", "not a plain relative path"),
    "backslash": ("..\\..\\x.txt", "not a plain relative path"),
    "long-name": ("y" * 256, "a name is longer than 255 bytes"),
}


@pytest.mark.parametrize("case", HOSTILE_OUTPUTS)
async def test_hostile_output_names_are_refused_before_anything_is_written(
    jp_fetch, home, hostile, case, writes
):
    name, why = HOSTILE_OUTPUTS[case]
    hostile.outputs = ["results/fit.json", name]
    hostile.files = {n: ("application/octet-stream", writes.marker) for n in hostile.outputs}
    armed(writes)
    code, error = await refused(jp_fetch, "workflows", REF, "outputs", body={})
    assert (code, error["code"], error["service"]) == (400, "bad_path", "reana")
    assert error["message"] == f"Refused to write to {name!r}: {why}."
    writes.assert_nothing(ignore=JOBS)  # not even the harmless results/fit.json


@pytest.mark.parametrize(
    "full_name, message",
    [
        (
            ".ssh",
            "Refused to write to 'reana/.ssh': '.ssh' is hidden (hidden files and folders "
            "are not written).",
        ),
        ("../../..", "Refused to write to 'reana/../../..': it leaves the workspace."),
    ],
)
async def test_hostile_workflow_names_do_not_choose_the_folder(
    jp_fetch, home, hostile, full_name, message, writes
):
    hostile.full_name = full_name
    hostile.outputs = ["results/fit.json"]
    hostile.files = {"results/fit.json": ("application/octet-stream", writes.marker)}
    armed(writes)
    code, error = await refused(jp_fetch, "workflows", REF, "outputs", body={})
    assert (code, error["code"], error["message"]) == (400, "bad_path", message)
    writes.assert_nothing(ignore=JOBS)


async def test_a_hidden_destination_is_refused(jp_fetch, home, hostile, writes):
    hostile.outputs = ["kernel.json"]
    hostile.files = {"kernel.json": ("application/octet-stream", writes.marker)}
    dest = ".local/share/jupyter/kernels/evil"
    armed(writes)
    code, error = await refused(jp_fetch, "workflows", REF, "outputs", body={"dest": dest})
    assert (code, error["code"]) == (400, "bad_path")
    assert error["message"] == (
        f"Refused to write to {dest!r}: '.local' is hidden (hidden files and folders are not "
        "written)."
    )
    writes.assert_nothing(ignore=JOBS)


def archive(members: dict[str, bytes], links: dict[str, str] | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name, content in members.items():
            zf.writestr(name, content)
        for name, target in (links or {}).items():
            info = zipfile.ZipInfo(name)
            info.external_attr = 0o120777 << 16
            zf.writestr(info, target)
    return buffer.getvalue()


async def test_hidden_and_linked_archive_members_are_skipped_and_said(
    jp_fetch, home, hostile, writes
):
    hostile.outputs = ["plots"]
    zipped = archive(
        {"plots/ok.txt": writes.marker, "plots/.bashrc": writes.marker},
        links={"plots/key": "../../../.ssh/id_rsa"},
    )
    hostile.files = {"plots": ("application/zip", zipped)}
    armed(writes)
    answer = await post(jp_fetch, "workflows", REF, "outputs", body={})
    assert answer["files"] == ["reana/evil.1/plots/ok.txt"]
    assert answer["skipped"] == ["plots/.bashrc", "plots/key"]
    assert answer["message"] == (
        "2 hidden file(s) or link(s) in the outputs were not written: plots/.bashrc, plots/key."
    )
    writes.assert_only("home/reana/evil.1/plots/ok.txt", ignore=JOBS)


async def test_an_archive_member_leaving_the_folder_is_refused(jp_fetch, home, hostile, writes):
    hostile.outputs = ["plots"]
    hostile.files = {"plots": ("application/zip", archive({"plots/../../../x.txt": writes.marker}))}
    armed(writes)
    code, error = await refused(jp_fetch, "workflows", REF, "outputs", body={})
    assert (code, error["code"]) == (400, "bad_path")
    assert (
        error["message"] == "Refused to write to 'plots/../../../x.txt': it leaves the workspace."
    )
    writes.assert_nothing(ignore=JOBS)


async def test_outputs_never_replace_a_users_file(jp_fetch, home, hostile, writes):
    mine = home / "reana" / "evil.1" / "results" / "fit.json"
    mine.parent.mkdir(parents=True)
    mine.write_text('{"mine": true}')
    armed(writes)  # the user's file is part of the starting point
    hostile.outputs = ["results/fit.json"]
    hostile.files = {"results/fit.json": ("application/octet-stream", writes.marker)}
    answer = await post(jp_fetch, "workflows", REF, "outputs", body={})
    kept = "reana/evil.1/results/fit (1).json"
    assert answer["files"] == [kept]
    assert answer["renamed"] == [{"name": "results/fit.json", "path": kept}]
    assert answer["message"] == (
        "1 output(s) kept beside an existing file of yours instead of replacing it: "
        f"results/fit.json -> {kept}."
    )
    assert mine.read_text() == '{"mine": true}'
    assert (home / kept).read_bytes() == writes.marker
    writes.assert_only(f"home/{kept}", ignore=JOBS)


async def test_outputs_do_not_follow_a_planted_folder_link(jp_fetch, home, hostile, writes):
    (home / ".config").mkdir(exist_ok=True)
    folder = home / "reana" / "evil.1"
    folder.mkdir(parents=True)
    (folder / "results").symlink_to("../../.config")
    armed(writes)
    hostile.outputs = ["results/autostart.desktop"]
    hostile.files = {"results/autostart.desktop": ("application/octet-stream", writes.marker)}
    code, error = await refused(jp_fetch, "workflows", REF, "outputs", body={})
    assert (code, error["code"]) == (400, "bad_path")
    assert error["message"] == (
        "Refused to write to 'results/autostart.desktop': it goes through a symbolic link."
    )
    assert list((home / ".config").iterdir()) == []
    writes.assert_nothing(ignore=JOBS)


async def test_spec_sized_json_is_encoded_off_the_event_loop(
    jp_fetch, home, hostile, monkeypatch, writes
):
    """The validate answer and the body sent to REANA are encoded in a worker thread."""
    import threading

    from jupyterlab_escape.workflows import client, routes

    loop_thread = threading.get_ident()
    seen: list[tuple[str, bool]] = []
    real = json.dumps

    def watched(value, *args, **kwargs):
        if isinstance(value, dict) and ("issues" in value or "workflow" in value):
            kind = "answer" if "issues" in value else "request"
            seen.append((kind, threading.get_ident() == loop_thread))
        return real(value, *args, **kwargs)

    monkeypatch.setattr(routes.json, "dumps", watched)
    monkeypatch.setattr(client.json, "dumps", watched)
    (home / "analysis" / "reana.yaml").write_text(spec_with("  files: [code/fit.py]\n"))
    armed(writes)
    await validate(jp_fetch, path="analysis/reana.yaml")
    events = await submit(jp_fetch, path="analysis/reana.yaml", name="offloop")
    assert events[-1]["stage"] == "started"
    assert ("answer", False) in seen and ("request", False) in seen
    assert [kind for kind, on_loop in seen if on_loop] == []
    writes.assert_nothing(ignore=JOBS)
