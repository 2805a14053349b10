"""The path a user takes with `pip install`: the wheel `python -m build` makes from this tree
carries the production labextension (no source maps), passes `twine check`, and once installed
into a clean venv, a Jupyter server loads both halves of the extension.

Marked `release`: it builds the frontend and installs JupyterLab, minutes of work, so `scripts/test`
runs it as its own layer (`scripts/test package`) rather than inside the pytest layer.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
LABEXT = "share/jupyter/labextensions/jupyterlab-escape"
ANSI = re.compile(r"\x1b\[[0-9;]*m")  # jupyter colours its extension lists

pytestmark = pytest.mark.release


def run(cmd: list[str], text: bool = True, **kwargs) -> subprocess.CompletedProcess:
    done = subprocess.run(cmd, capture_output=True, text=text, **kwargs)
    assert done.returncode == 0, (
        f"{cmd[:3]} failed:\n{done.stdout[-3000:]!s}\n{done.stderr[-3000:]!s}"
    )
    return done


def source_copy(dest: Path) -> Path:
    """The tracked and new (not ignored) files of the checkout, as a fresh clone would have them,
    with node_modules hard-linked (npm install there is a no-op when the lockfile is in sync).
    ESCAPE_RELEASE_SOURCE=<commit> (HEAD, a hash) takes that commit instead (in a checkout
    shared with work in progress)."""
    if rev := os.environ.get("ESCAPE_RELEASE_SOURCE"):
        dest.mkdir(parents=True)
        archive = run(["git", "archive", "--format=tar", rev], cwd=REPO, text=False).stdout
        subprocess.run(["tar", "-x", "-C", str(dest)], input=archive, check=True)
        run(["cp", "-al", str(REPO / "node_modules"), str(dest / "node_modules")])
        return dest
    listed = run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=REPO
    ).stdout
    for name in filter(None, listed.split("\0")):
        src = REPO / name
        if not src.is_file():
            continue  # deleted in the work tree
        target = dest / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, target)
    run(["cp", "-al", str(REPO / "node_modules"), str(dest / "node_modules")])
    return dest


STALE = "/* a stale development build: must never reach a wheel */"


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> Path:
    work = tmp_path_factory.mktemp("release")
    src = source_copy(work / "src")
    # A development build left in the tree (what `npm run build` and the demo leave): the
    # release build must replace it, not ship it.
    stale = src / "jupyterlab_escape" / "labextension"
    (stale / "static").mkdir(parents=True)
    (stale / "static" / "style.js").write_text(STALE)
    (stale / "static" / "remoteEntry.0000.js.map").write_text(STALE)
    (stale / "package.json").write_text('{"name": "jupyterlab-escape"}')
    out = work / "dist"
    env = {k: v for k, v in os.environ.items() if not k.startswith("HATCH_JUPYTER_BUILDER")}
    env["PATH"] = f"{Path(sys.executable).parent}:{env['PATH']}"
    run([sys.executable, "-m", "build", "--outdir", str(out), str(src)], env=env)
    return out


@pytest.fixture(scope="module")
def wheel(dist) -> Path:
    (path,) = dist.glob("*.whl")
    return path


def test_twine_check_passes(dist, tmp_path):
    files = sorted(str(p) for p in dist.iterdir())
    assert any(f.endswith(".tar.gz") for f in files) and any(f.endswith(".whl") for f in files)
    # a venv of its own: twine 7 (metadata 2.5, as hatchling writes it) wants a newer rich than
    # the project's environment allows
    run([sys.executable, "-m", "venv", str(tmp_path / "twine")])
    twine = tmp_path / "twine" / "bin"
    run([str(twine / "python"), "-m", "pip", "install", "-q", "twine>=7"])
    out = run([str(twine / "twine"), "check", "--strict", *files]).stdout
    assert out.count("PASSED") == len(files), out


def test_wheel_carries_the_production_labextension(wheel):
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
        static = [n for n in names if f"/{LABEXT}/static/" in n]
        assert not [n for n in static if STALE.encode() in zf.read(n)], "a stale build shipped"
        assert any(n.endswith(".js") and "/remoteEntry." in n for n in static), static
        assert not [n for n in names if n.endswith(".map")], "source maps in the wheel"
        for name in static:
            if name.endswith(".js"):
                text = zf.read(name).decode()
                assert not re.search(r"^//# sourceMappingURL=", text, re.M), name
        (pkg_name,) = [n for n in names if n.endswith(f"{LABEXT}/package.json")]
        package = json.loads(zf.read(pkg_name))
        assert package["name"] == "jupyterlab-escape"
        assert package["jupyterlab"]["_build"]["load"].startswith("static/remoteEntry.")
        # a development build keeps webpack's readable module wrappers; production minifies them
        (remote,) = [n for n in static if "/remoteEntry." in n and n.endswith(".js")]
        assert "/***/" not in zf.read(remote).decode(), "remoteEntry is a development build"
        assert not [n for n in names if "/tests/" in n], "tests shipped in the wheel"
        config = [n for n in names if n.endswith("jupyter_server_config.d/jupyterlab_escape.json")]
        assert config, "server extension not enabled by the wheel"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str, timeout: float = 10) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def test_clean_venv_install_loads_the_extension(wheel, tmp_path):
    venv = tmp_path / "venv"
    run([sys.executable, "-m", "venv", str(venv)])
    py = venv / "bin" / "python"
    run([str(py), "-m", "pip", "install", "-q", str(wheel)])
    # Nothing of the developer's Jupyter set-up may leak in: own config, data and runtime dirs.
    env = {
        "PATH": f"{venv / 'bin'}:/usr/bin:/bin",
        "HOME": str(tmp_path / "home"),
        "JUPYTER_CONFIG_DIR": str(tmp_path / "config"),
        "JUPYTER_DATA_DIR": str(tmp_path / "data"),
        "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
        "JUPYTER_PLATFORM_DIRS": "1",
        "LANG": "C.UTF-8",
    }
    listed = run([str(venv / "bin" / "jupyter"), "labextension", "list"], env=env)
    text = ANSI.sub("", listed.stdout + listed.stderr)
    assert re.search(r"jupyterlab-escape v\S+ enabled\s+OK", text), text
    assert str(venv) in text  # found in the venv's share/, not the checkout's
    servers = run([str(venv / "bin" / "jupyter"), "server", "extension", "list"], env=env)
    text = ANSI.sub("", servers.stdout + servers.stderr)
    assert re.search(r"jupyterlab_escape\s+enabled", text), text
    assert re.search(r"jupyterlab_escape \S+ OK", text), text  # it imports

    port, token = free_port(), "release-test-token"
    root = tmp_path / "root"
    root.mkdir()
    log = (tmp_path / "server.log").open("w")
    server = subprocess.Popen(
        [
            str(venv / "bin" / "jupyter"),
            "server",
            "--no-browser",
            "--ip=127.0.0.1",
            f"--port={port}",
            "--ServerApp.port_retries=0",
            f"--ServerApp.root_dir={root}",
            f"--IdentityProvider.token={token}",
            *(["--allow-root"] if os.geteuid() == 0 else []),
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=tmp_path,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            assert server.poll() is None, (tmp_path / "server.log").read_text()[-3000:]
            try:
                status, _ = get(f"{base}/api/status?token={token}", timeout=2)
                if status == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, (tmp_path / "server.log").read_text()[-3000:]
            time.sleep(0.5)

        status, body = get(f"{base}/escape/openapi.yaml?token={token}")
        assert status == 200, body[:500]
        assert body.startswith(b"openapi: ") and b"/escape/" in body

        status, page = get(f"{base}/lab?token={token}")
        assert status == 200
        config = json.loads(
            re.search(rb'id="jupyter-config-data"[^>]*>\s*(.*?)\s*</script>', page, re.S).group(1)
        )
        (ext,) = [e for e in config["federated_extensions"] if e["name"] == "jupyterlab-escape"]
        served = f"{base}/lab/extensions/jupyterlab-escape"
        status, remote = get(f"{served}/{ext['load']}?token={token}")
        assert status == 200 and b"jupyterlab-escape" in remote
        status, style = get(f"{served}/static/style.js?token={token}")
        assert status == 200 and style
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()
