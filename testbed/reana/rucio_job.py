"""The REANA STAND-IN's Rucio semantics for a job step (mode "lake" of Data Lake inputs).

A real REANA expands ``${param}`` in a serial step's commands with the workflow's parameters.
For a step with ``rucio: true`` its Rucio init container (reanahub/reana-auth-rucio) renders
``rucio.cfg`` from the user's env secrets: ``RUCIO_USERNAME`` (the account) and ``VONAME`` are
required (missing, it prints ``[ERROR]`` and exits 0: the job runs unconfigured), hosts from
``RUCIO_RUCIO_HOST``/``RUCIO_AUTH_HOST`` (else ``https://<VONAME>-rucio.cern.ch``), every
``RUCIO_CFG_CLIENT_<KEY>`` secret as ``<key>`` of ``[client]``; file secrets are mounted at
``/etc/reana/secrets/<name>``. The step's ``rucio download DID`` then authenticates, resolves and
reads the DIDs. The stand-in does the same with the testbed's real Rucio client, so a missing or
wrong secret, a wrong DID or a DID the account may not read fails the step with Rucio's words.

The stand-in only reaches loopback hosts: any other host fails the step as unreachable.
"""

from __future__ import annotations

import asyncio
import base64
import os
import re
import shlex
import string
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

MOUNT = "/etc/reana/secrets"
READ = re.compile(r"\brucio\s+(?:download|get)\s+([^;&|\n]+)")
STEP_SCRIPT = Path(__file__).with_name("rucio_step.py")
TIMEOUT = 300
LOOPBACK = ("127.0.0.1", "localhost", "::1")


def expand(command: str, parameters: dict) -> str:
    """``${param}`` and ``$param`` as REANA's serial engine expands them."""
    return string.Template(command).safe_substitute({k: str(v) for k, v in parameters.items()})


def lake_reads(command: str) -> list[str]:
    """The DIDs a command reads with ``rucio download``/``rucio get``."""
    dids: list[str] = []
    for match in READ.finditer(command):
        try:
            words = shlex.split(match.group(1))
        except ValueError:
            words = match.group(1).split()
        dids += [w for w in words if ":" in w and not w.startswith("-")]
    return dids


def rucio_python() -> Path | None:
    """The testbed's Rucio venv (the job image's rucio-clients)."""
    explicit = os.environ.get("ESCAPE_STANDIN_RUCIO_PYTHON")
    if explicit:
        return Path(explicit)
    home = os.environ.get("ESCAPE_TESTBED_HOME") or str(
        Path(__file__).resolve().parents[1] / ".run"
    )
    python = Path(home) / "rucio" / "venv" / "bin" / "python"
    return python if python.exists() else None


def _secret_values(secrets: dict) -> tuple[dict[str, str], dict[str, bytes]]:
    env, files = {}, {}
    for name, secret in secrets.items():
        try:
            value = base64.b64decode(secret.get("value") or "")
        except ValueError:
            continue
        if secret.get("type") == "file":
            files[name] = value
        else:
            env[name] = value.decode(errors="replace")
    return env, files


def render_config(env: dict[str, str], mount: Path) -> tuple[str | None, str]:
    """rucio.cfg as the init container renders it, or None and its ``[ERROR]`` line."""
    missing = [k for k in ("VONAME", "RUCIO_USERNAME") if not env.get(k)]
    if missing:
        return None, f"[ERROR] Missing secret(s) {', '.join(missing)}: Rucio is not configured.\n"
    vo = env["VONAME"]
    client = {
        "rucio_host": env.get("RUCIO_RUCIO_HOST") or f"https://{vo}-rucio.cern.ch",
        "auth_host": env.get("RUCIO_AUTH_HOST") or f"https://{vo}-rucio-auth.cern.ch",
        "account": env["RUCIO_USERNAME"],
        "auth_type": "x509_proxy",
        "client_x509_proxy": "/vomsproxy_cache/x509up_proxy",
        "request_retries": "1",
    }
    for key, value in env.items():
        if key.startswith("RUCIO_CFG_CLIENT_"):
            client[key[len("RUCIO_CFG_CLIENT_") :].lower()] = value
    for key, value in client.items():  # the secrets' mount point, in this stand-in's sandbox
        if value.startswith(MOUNT + "/"):
            client[key] = str(mount / value[len(MOUNT) + 1 :])
    lines = ["[client]"] + [f"{k} = {v}" for k, v in client.items()]
    return "\n".join(lines) + "\n", ""


def _unreachable(config: str | None) -> str | None:
    for line in (config or "").splitlines():
        key, _, value = line.partition(" = ")
        if key in ("rucio_host", "auth_host"):
            host = urlsplit(value).hostname or ""
            if host not in LOOPBACK:
                return f"ConnectionError: cannot reach {value} from the REANA stand-in"
    return None


async def read_dids(step: dict, dids: list[str], secrets: dict) -> tuple[bool, str]:
    """Run what the step's ``rucio download`` does: (succeeded, what it printed)."""
    python = rucio_python()
    if python is None:
        return False, "/bin/sh: rucio: not found (no Rucio client in the stand-in)\n"
    env_secrets, file_secrets = _secret_values(secrets)
    with tempfile.TemporaryDirectory(prefix="reana-standin-rucio-") as tmp:
        root = Path(tmp)
        mount, work, home = root / "secrets", root / "workspace", root / "home"
        for folder in (mount, work, home):
            folder.mkdir()
        for name, value in file_secrets.items():
            if "/" not in name and not name.startswith("."):
                (mount / name).write_bytes(value)
        init = ""
        config = None
        if step.get("rucio"):
            config, init = render_config(env_secrets, mount)
        problem = _unreachable(config)
        if problem:
            return False, init + problem + "\n"
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(home),
            "TMPDIR": str(home),
            "LANG": "C.UTF-8",
        }
        env.update({k: v for k, v in env_secrets.items() if not k.startswith("RUCIO_CFG_")})
        if config is not None:
            (root / "rucio.cfg").write_text(config)
            env["RUCIO_CONFIG"] = str(root / "rucio.cfg")
            proxy = os.environ.get("ESCAPE_STANDIN_X509_PROXY")
            if proxy:  # what the VOMS init container leaves for the storage's TLS client
                env["X509_USER_PROXY"] = proxy
        process = await asyncio.create_subprocess_exec(
            str(python),
            str(STEP_SCRIPT),
            str(work),
            *dids,
            cwd=str(work),
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        try:
            out, _ = await asyncio.wait_for(process.communicate(), TIMEOUT)
        except asyncio.TimeoutError:
            process.kill()
            return False, init + f"rucio download took longer than {TIMEOUT} s\n"
        text = out.decode(errors="replace").replace(tmp, "/var/reana")
        return process.returncode == 0, init + text


if __name__ == "__main__":  # a manual check: python -m testbed.reana.rucio_job DID
    print(asyncio.run(read_dids({"rucio": True}, sys.argv[1:], {})))
