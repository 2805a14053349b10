"""A handle on the Rucio testbed for Python code outside its venv (tests, benchmarks).

Standard library only. `load_testbed()` describes a testbed that `testbed setup` has built;
`run_testbed()` runs the `testbed` entry script.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

TESTBED_SCRIPT = Path(__file__).resolve().parent / "testbed"


@dataclass(frozen=True)
class RucioAccount:
    account: str
    username: str
    password: str
    client_cfg: Path
    """Rucio client config for this account (tokens from the main server)."""
    short_client_cfg: Path
    """Same account, but tokens issued by the short-lived-token server."""


@dataclass(frozen=True)
class RucioRSE:
    name: str
    mount_path: Path
    """Directory holding the RSE's files (its `file` protocol prefix)."""
    https_prefix: str
    """PFN prefix of its `https` protocol, e.g. https://localhost:18443/escape_disk/"""
    path_begins_at: int = 1
    """Components of the https PFN path to drop to get the path below mount_path."""
    writable: bool = False
    """Its https protocol accepts WebDAV writes (PUT, MKCOL, DELETE, MOVE, PROPFIND)."""

    def local_path(self, pfn: str) -> Path:
        """Path under mount_path of an https or file PFN of this RSE."""
        if pfn.startswith(self.https_prefix):
            return self.mount_path / pfn[len(self.https_prefix) :]
        prefix = f"file://localhost{self.mount_path}/"
        if pfn.startswith(prefix):
            return self.mount_path / pfn[len(prefix) :]
        raise ValueError(f"{pfn} is not a PFN of {self.name}")


@dataclass
class RucioTestbed:
    base_url: str
    auth_url: str
    short_token_auth_url: str
    short_token_seconds: int
    vo: str
    root: RucioAccount
    jdoe: RucioAccount
    scopes: tuple
    rses: dict
    remote_rse: RucioRSE
    local_rse: RucioRSE
    big_scope: str | None
    big_dataset: str | None
    """DID (scope:name) of one 1,000-file dataset of the big scope, None if not seeded."""
    big_container: str | None
    thousand_files_dataset: str
    """DID (scope:name) of the dataset of 1,000 small files."""
    large_files_dataset: str
    large_files: tuple
    """DIDs of the files larger than 200 MB."""
    datasets: dict
    """Everything the seed made, by role (see testbed/README.md), from state/seed.json."""
    rules: tuple
    state_dir: Path
    client_cfg: Path
    proxy_pem: Path
    ca_cert: Path
    https_url: str
    rucio_bin: Path
    python_bin: Path
    upload_rse: RucioRSE | None = None
    """The write RSE where jdoe may upload (ESCAPE_USERDISK), with a finite quota for jdoe."""
    denied_rse: RucioRSE | None = None
    """A write RSE where only admins may add replicas (ESCAPE_DATADISK): jdoe is refused."""
    jdoe_upload_limit: int | None = None
    """jdoe's quota on upload_rse, in bytes."""
    testbed_script: Path = TESTBED_SCRIPT
    _short_override: Path = field(default=None, repr=False)

    # ------------------------------------------------------------------ derived views
    @property
    def accounts(self) -> dict:
        return {"root": self.root, "jdoe": self.jdoe}

    @property
    def local_mount_path(self) -> Path:
        return self.local_rse.mount_path

    @property
    def rucio_version(self) -> str:
        with urllib.request.urlopen(self.base_url + "/ping", timeout=10) as resp:
            return json.load(resp)["version"]

    # ------------------------------------------------------------------ actions
    def reset(self) -> None:
        """Restore the seeded database and storage (fast: SQLite backup + hard links)."""
        run_testbed("reset")

    def env(self, account: str = "root", short: bool = False) -> dict:
        """Environment for running the testbed's Rucio CLI as `account`."""
        acc = self.accounts[account]
        env = dict(os.environ)
        for key in ("RUCIO_ACCOUNT", "RUCIO_AUTH_TYPE", "RUCIO_VO", "RUCIO_HOME", "VIRTUAL_ENV"):
            env.pop(key, None)
        env["RUCIO_CONFIG"] = str(acc.short_client_cfg if short else acc.client_cfg)
        env["X509_USER_PROXY"] = str(self.proxy_pem)
        return env

    def rucio(
        self,
        *args: str,
        account: str = "root",
        check: bool = True,
        timeout: float = 600,
        cwd: os.PathLike | None = None,
    ) -> subprocess.CompletedProcess:
        """Run the real `rucio` CLI of the testbed venv; returns the CompletedProcess (text)."""
        proc = subprocess.run(
            [str(self.rucio_bin), *args],
            check=False,
            env=self.env(account),
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if check and proc.returncode != 0:
            raise AssertionError(
                f"rucio {' '.join(args)} failed ({proc.returncode}):\n"
                f"{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
            )
        return proc

    def token(self, account: str = "root", short: bool = False) -> tuple:
        """A fresh userpass token: (token, expires header) from the main or short-token server."""
        acc = self.accounts[account]
        url = (self.short_token_auth_url if short else self.auth_url) + "/auth/userpass"
        req = urllib.request.Request(
            url,
            headers={
                "X-Rucio-Account": acc.account,
                "X-Rucio-Username": acc.username,
                "X-Rucio-Password": acc.password,
                "X-Rucio-VO": self.vo,
            },
        )
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.headers["X-Rucio-Auth-Token"], resp.headers["X-Rucio-Auth-Token-Expires"]

    @contextlib.contextmanager
    def short_token_lifetime(self, seconds: int) -> Iterator[None]:
        """Tokens issued by the short-token server inside the block live `seconds` seconds."""
        self._short_override.write_text(str(int(seconds)))
        try:
            yield
        finally:
            with contextlib.suppress(FileNotFoundError):
                self._short_override.unlink()


def run_testbed(*args: str, timeout: float = 3600, extra_env: dict | None = None) -> str:
    """Run `testbed/rucio/testbed ARGS`; returns its output, raises RuntimeError on failure."""
    env = {**os.environ, **(extra_env or {})}
    proc = subprocess.run(
        [str(TESTBED_SCRIPT), *args],
        check=False,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
    )
    if proc.returncode != 0:
        raise RuntimeError(
            f"testbed {' '.join(args)} failed ({proc.returncode}):\n"
            f"{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}"
        )
    return proc.stdout + proc.stderr


def services_up() -> bool:
    proc = subprocess.run(
        [str(TESTBED_SCRIPT), "status"], check=False, capture_output=True, timeout=60
    )
    return proc.returncode == 0


def take_lease(state_dir: Path) -> Path:
    """Record that this process uses the testbed (see :func:`release_lease`)."""
    lease = state_dir / "run" / "leases" / str(os.getpid())
    lease.parent.mkdir(parents=True, exist_ok=True)
    lease.write_text(str(os.getpid()))
    return lease


def release_lease(lease: Path) -> bool:
    """Drop this process's lease; True if no other live process holds one.

    Two pytest sessions (or a session and a benchmark) may share one testbed: the one that
    started the services must not stop them under the other's feet.
    """
    with contextlib.suppress(FileNotFoundError):
        lease.unlink()
    for other in lease.parent.glob("*"):
        try:
            os.kill(int(other.name), 0)
        except (ValueError, ProcessLookupError):
            with contextlib.suppress(FileNotFoundError):
                other.unlink()
            continue
        except PermissionError:
            pass
        return False
    return True


def load_testbed(state_dir: Path) -> RucioTestbed:
    """Build the description of an already set-up testbed from its state dir."""
    endpoints = json.loads((state_dir / "etc" / "endpoints.json").read_text())
    seed = json.loads((state_dir / "state" / "seed.json").read_text())
    cfg = {k: Path(v) for k, v in endpoints["client_cfg"].items()}
    accounts = {
        name: RucioAccount(
            account=name,
            username=seed["accounts"][name]["username"],
            password=seed["accounts"][name]["password"],
            client_cfg=cfg[name],
            short_client_cfg=cfg[f"{name}_short"],
        )
        for name in ("root", "jdoe")
    }
    rses = {
        name: RucioRSE(
            name=name,
            mount_path=Path(info["mount"]),
            https_prefix=info["https_prefix"],
            writable=bool(info.get("writable")),
        )
        for name, info in seed["rses"].items()
    }
    sets = seed["datasets"]
    big = sets.get("big_dataset")
    big_container = sets.get("big_container")
    return RucioTestbed(
        base_url=endpoints["base_url"],
        auth_url=endpoints["auth_url"],
        short_token_auth_url=endpoints["short_token_url"],
        short_token_seconds=int(endpoints["short_token_seconds"]),
        vo="def",
        root=accounts["root"],
        jdoe=accounts["jdoe"],
        scopes=tuple(seed["scopes"]),
        rses=rses,
        remote_rse=rses["ESCAPE_DISK"],
        local_rse=rses["LOCAL_MOUNT"],
        big_scope=seed.get("big_scope"),
        big_dataset=big["did"] if big and seed.get("big_scope") else None,
        big_container=big_container["did"] if big_container and seed.get("big_scope") else None,
        thousand_files_dataset=sets["thousand_files"]["did"],
        large_files_dataset=sets["large_files"]["did"],
        large_files=tuple(
            f"{sets['large_files']['scope']}:{n}" for n in sets["large_files"]["file_names"]
        ),
        datasets=sets,
        rules=tuple(seed.get("rules", ())),
        state_dir=state_dir,
        client_cfg=cfg["root"],
        proxy_pem=Path(endpoints["proxy_pem"]),
        ca_cert=Path(endpoints["ca_cert"]),
        https_url=endpoints["https_url"],
        rucio_bin=Path(endpoints["rucio_bin"]),
        python_bin=Path(endpoints["python_bin"]),
        upload_rse=rses.get(seed.get("upload", {}).get("rse", "")),
        denied_rse=rses.get(seed.get("upload", {}).get("denied_rse", "")),
        jdoe_upload_limit=seed.get("upload", {}).get("jdoe_limit"),
        _short_override=Path(endpoints["short_token_override_file"]),
    )


def default_state_dir() -> Path:
    home = os.environ.get("ESCAPE_TESTBED_HOME") or str(TESTBED_SCRIPT.parent.parent / ".run")
    return Path(home).resolve() / "rucio"
