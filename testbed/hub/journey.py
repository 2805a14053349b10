"""The hub journey's setup (Galata ``hub-journey.spec.ts``): everything a VRE-like deployment has.

``python -m testbed.hub journey`` (idempotent) starts a REANA stand-in in bearer mode that checks
JWTs with the provider's keys (port ESCAPE_HUB_REANA_PORT, default 18630), maps the test user's
identity to the Rucio account jdoe, puts the REANA example project in the user's home
(``analysis/``) and (re)starts the hub with access tokens of ESCAPE_HUB_JOURNEY_TTL seconds
(default 25), its single-user servers configured by the variables a VRE sets: RUCIO_* with
RUCIO_AUTH_TYPE=oidc, REANA_SERVER_URL with REANA_AUTH_MODE=bearer. Prints the hub's URL, user and
password as JSON. ``python -m testbed.hub revoke`` revokes the user's refresh token.
"""

from __future__ import annotations

import os
import shutil
import signal
import time

from ..reana import cli as reana_cli
from ..rucio.handle import default_state_dir as rucio_state_dir
from ..rucio.handle import load_testbed
from .handle import REPO, HubTestbed, _alive

REANA_PORT = int(os.environ.get("ESCAPE_HUB_REANA_PORT") or 18630)
TTL = int(os.environ.get("ESCAPE_HUB_JOURNEY_TTL") or 25)


def start_reana(hub: HubTestbed) -> str:
    pid_file = hub.state / "reana-bearer.pid"
    if pid_file.exists() and _alive(int(pid_file.read_text())):
        return reana_cli.url(REANA_PORT)
    if not reana_cli.reana_client().exists() or reana_cli._distribution_missing():
        reana_cli.setup()
    env = dict(os.environ, ESCAPE_REANA_OIDC_ISSUER=hub.oidc_url, ESCAPE_REANA_OIDC_CA=hub.ca)
    (hub.state / "logs").mkdir(parents=True, exist_ok=True)
    with open(hub.state / "logs" / "reana-bearer.log", "ab") as log:
        process = reana_cli.SERVER.spawn(REANA_PORT, env=env, log=log)
    pid_file.write_text(str(process.pid))
    return reana_cli.url(REANA_PORT)


def stop_reana(hub: HubTestbed) -> None:
    pid_file = hub.state / "reana-bearer.pid"
    if pid_file.exists():
        pid = int(pid_file.read_text())
        if _alive(pid):
            os.kill(pid, signal.SIGTERM)
        pid_file.unlink()


def journey() -> dict:
    hub = HubTestbed()
    rucio = load_testbed(rucio_state_dir())
    hub.secrets()
    hub.tls()
    hub.write_idpsecrets()
    reana = start_reana(hub)
    root = rucio.root
    hub.map_rucio_identity(
        rucio.base_url,
        {"account": root.account, "username": root.username, "password": root.password},
    )
    home = hub.state / "home" / hub.user
    # Every journey starts like a first visit: no server running, no saved JupyterLab workspace.
    if hub.running():
        with hub.admin() as api:
            api.delete(f"users/{hub.user}/server")
            for _ in range(120):
                if not api.get(f"users/{hub.user}").json().get("servers"):
                    break
                time.sleep(0.25)
    shutil.rmtree(home / ".jupyter" / "lab" / "workspaces", ignore_errors=True)
    example = REPO / "testbed" / "reana" / "example"
    if example.exists():
        shutil.copytree(example, home / "analysis", dirs_exist_ok=True)
    env = {
        "RUCIO_BASE_URL": rucio.base_url,
        "RUCIO_AUTH_URL": rucio.auth_url,
        "RUCIO_NAME": "testbed",
        "RUCIO_DISPLAY_NAME": "ESCAPE Data Lake (testbed)",
        "RUCIO_AUTH_TYPE": "oidc",
        "RUCIO_ACCOUNT": "jdoe",
        "RUCIO_CA_CERT": str(rucio.ca_cert),
        "ESCAPE_ALLOW_PRIVATE_STORAGE": "1",
        "REANA_SERVER_URL": reana,
        "REANA_AUTH_MODE": "bearer",
        "ZENODO_BASE_URL": os.environ.get("ESCAPE_ZENODO_URL", ""),
    }
    hub.start(token_ttl=TTL, extra_env={k: v for k, v in env.items() if v})
    return {"url": hub.url, "user": hub.user, "password": hub.password, "ttl": TTL}


def revoke() -> None:
    HubTestbed().revoke_refresh_token()
