"""Start, stop and drive the hub testbed: oidc-provider (node) + JupyterHub (+ its proxy).

State lives in ``${ESCAPE_TESTBED_HOME:-<repo>/testbed/.run}/hub``: generated secrets (0600), the
provider's signing key, the hub database, pids, logs and the home folders of spawned users.
Nothing is downloaded here: ``node_modules`` comes from ``npm install`` in testbed/hub (done by
scripts/test), the hub from the project's venv (the ``hub`` extra).
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import ssl
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent


def default_state_dir() -> Path:
    home = os.environ.get("ESCAPE_TESTBED_HOME") or str(REPO / "testbed" / ".run")
    return Path(home).resolve() / "hub"


def _port(name: str, fallback: int) -> int:
    return int(os.environ.get(name) or fallback)


@dataclass
class HubTestbed:
    state: Path = field(default_factory=default_state_dir)
    port: int = field(default_factory=lambda: _port("ESCAPE_HUB_PORT", 18600))
    api_port: int = field(default_factory=lambda: _port("ESCAPE_HUB_API_PORT", 18601))
    proxy_api_port: int = field(default_factory=lambda: _port("ESCAPE_HUB_PROXY_API_PORT", 18602))
    oidc_port: int = field(default_factory=lambda: _port("ESCAPE_OIDC_PORT", 18620))
    user: str = "alice"
    password: str = "escape-alice"

    # ------------------------------------------------------------------ places
    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_url(self) -> str:
        return f"{self.url}/hub/api"

    @property
    def oidc_url(self) -> str:
        return f"https://127.0.0.1:{self.oidc_port}"

    def tls(self) -> tuple[Path, Path]:
        """The provider's certificate and key: the Rucio testbed's when it exists (Rucio then
        trusts the provider; REQUESTS_CA_BUNDLE there), else one made here with openssl."""
        rucio = self.state.parent / "rucio" / "certs"
        if (rucio / "server.crt").exists() and (rucio / "server.key").exists():
            return rucio / "server.crt", rucio / "server.key"
        own = self.state / "tls"
        cert, key = own / "server.crt", own / "server.key"
        if not cert.exists():
            own.mkdir(parents=True, exist_ok=True, mode=0o700)
            subprocess.run(
                [
                    "openssl",
                    "req",
                    "-x509",
                    "-newkey",
                    "rsa:2048",
                    "-nodes",
                    "-days",
                    "3650",
                    "-subj",
                    "/CN=localhost",
                    "-addext",
                    "subjectAltName=DNS:localhost,IP:127.0.0.1",
                    "-keyout",
                    str(key),
                    "-out",
                    str(cert),
                ],
                check=True,
                capture_output=True,
            )
        return cert, key

    @property
    def ca(self) -> str:
        """The certificate that verifies the provider (a PEM file)."""
        return str(self.tls()[0])

    def jwks(self):
        """A PyJWT key client of the provider's published keys."""
        import jwt

        context = ssl.create_default_context(cafile=self.ca)
        return jwt.PyJWKClient(f"{self.oidc_url}/jwks", ssl_context=context)

    def write_idpsecrets(self) -> Path:
        """Rucio's registration at the provider (the Rucio testbed's [oidc] idpsecrets)."""
        path = self.state / "idpsecrets.json"
        secret = self.secrets()["rucio_secret"]
        client = {
            "issuer": self.oidc_url,
            "client_id": "rucio",
            "client_secret": secret,
            "redirect_uris": ["http://127.0.0.1:18080/auth/oidc_token"],
        }
        data = {"escape": {**client, "SCIM": {**client, "registration_access_token": ""}}}
        temp = path.with_suffix(".tmp")
        temp.write_text(json.dumps(data, indent=1))
        os.chmod(temp, 0o600)
        temp.replace(path)
        return path

    @property
    def login_url(self) -> str:
        return f"{self.url}/hub/login"

    def secrets(self) -> dict[str, str]:
        """Generated once per state folder, readable by this user only."""
        path = self.state / "secrets.json"
        if path.exists():
            return json.loads(path.read_text())
        self.state.mkdir(parents=True, exist_ok=True, mode=0o700)
        values = {
            "crypt_key": secrets.token_hex(32),
            "client_secret": secrets.token_urlsafe(24),
            "service_token": secrets.token_hex(24),
            "proxy_token": secrets.token_hex(24),
            "rucio_secret": secrets.token_urlsafe(24),
        }
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            json.dump(values, handle)
        return values

    # ------------------------------------------------------------------ processes
    def _pids(self) -> dict[str, int]:
        try:
            return json.loads((self.state / "pids.json").read_text())
        except (OSError, ValueError):
            return {}

    def settings(self) -> dict:
        try:
            return json.loads((self.state / "settings.json").read_text())
        except (OSError, ValueError):
            return {}

    def running(self) -> bool:
        try:
            ok = httpx.get(
                f"{self.oidc_url}/.well-known/openid-configuration", timeout=2, verify=self.ca
            )
            hub = httpx.get(f"{self.api_url}/", timeout=2)
        except httpx.HTTPError:
            return False
        return ok.status_code == 200 and hub.status_code == 200

    def start(
        self,
        token_ttl: int = 120,
        refresh_margin: float | None = None,
        refresh_age: int | None = None,
        extra_env: dict[str, str] | None = None,
    ) -> None:
        """Start (or restart with other settings) the provider and the hub; wait for both."""
        margin = refresh_margin if refresh_margin is not None else max(5.0, token_ttl / 4)
        age = refresh_age if refresh_age is not None else max(2, int(token_ttl / 6))
        wanted = {
            "token_ttl": token_ttl,
            "refresh_margin": margin,
            "refresh_age": age,
            "env": extra_env or {},
        }
        if self.running() and self.settings() == wanted:
            return
        self.stop()
        proxy = HERE / "node_modules" / ".bin" / "configurable-http-proxy"
        if not proxy.exists() or not (HERE / "node_modules" / "oidc-provider").exists():
            raise RuntimeError(
                f"{HERE}/node_modules is missing: run 'npm install' in {HERE} (scripts/test does)"
            )
        jupyterhub = Path(sys.executable).parent / "jupyterhub"
        if not jupyterhub.exists():
            raise RuntimeError("jupyterhub is not installed: pip install -e '.[test]'")
        self.state.mkdir(parents=True, exist_ok=True, mode=0o700)
        (self.state / "logs").mkdir(exist_ok=True)
        keys = self.secrets()
        if "rucio_secret" not in keys:  # a state folder from before Rucio's registration
            (self.state / "secrets.json").unlink()
            keys = self.secrets()
        cert, key = self.tls()
        self.write_idpsecrets()
        env = {
            **os.environ,
            **(extra_env or {}),
            "ESCAPE_HUB_STATE": str(self.state),
            "ESCAPE_HUB_PORT": str(self.port),
            "ESCAPE_HUB_API_PORT": str(self.api_port),
            "ESCAPE_HUB_PROXY_API_PORT": str(self.proxy_api_port),
            "ESCAPE_HUB_URL": self.url,
            "ESCAPE_OIDC_PORT": str(self.oidc_port),
            "ESCAPE_OIDC_URL": self.oidc_url,
            "ESCAPE_OIDC_STATE": str(self.state),
            "ESCAPE_OIDC_TOKEN_TTL": str(token_ttl),
            "ESCAPE_OIDC_USER": self.user,
            "ESCAPE_OIDC_PASSWORD": self.password,
            "ESCAPE_OIDC_CLIENT_SECRET": keys["client_secret"],
            "ESCAPE_OIDC_RUCIO_SECRET": keys["rucio_secret"],
            "ESCAPE_OIDC_TLS_CERT": str(cert),
            "ESCAPE_OIDC_TLS_KEY": str(key),
            "ESCAPE_HUB_SERVICE_TOKEN": keys["service_token"],
            "ESCAPE_HUB_PROXY_TOKEN": keys["proxy_token"],
            "ESCAPE_HUB_REFRESH_MARGIN": str(margin),
            "ESCAPE_HUB_REFRESH_AGE": str(age),
            "JUPYTERHUB_CRYPT_KEY": keys["crypt_key"],
            "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
        }
        # A new provider process forgets every grant: the hub's database must go too.
        for name in ("jupyterhub.sqlite", "jupyterhub-proxy.pid", "proxy.pid"):
            (self.state / name).unlink(missing_ok=True)
        pids = {}
        with open(self.state / "logs" / "provider.log", "ab") as log:
            pids["provider"] = subprocess.Popen(
                ["node", str(HERE / "provider.mjs")],
                cwd=HERE,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            ).pid
        with open(self.state / "logs" / "jupyterhub.log", "ab") as log:
            pids["hub"] = subprocess.Popen(
                [str(jupyterhub), "-f", str(HERE / "jupyterhub_config.py")],
                cwd=self.state,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            ).pid
        (self.state / "pids.json").write_text(json.dumps(pids))
        (self.state / "settings.json").write_text(json.dumps(wanted))
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.running():
                return
            for name, pid in pids.items():
                if not _alive(pid):
                    raise RuntimeError(f"the {name} exited: see {self.state}/logs/")
            time.sleep(0.3)
        raise RuntimeError(f"the hub testbed did not answer within 60 s: see {self.state}/logs/")

    def stop(self) -> None:
        pids = self._pids()
        for name in ("hub", "provider"):  # the hub stops its proxy and users' servers itself
            pid = pids.get(name)
            if pid and _alive(pid):
                os.kill(pid, signal.SIGTERM)
                deadline = time.monotonic() + 15
                while _alive(pid) and time.monotonic() < deadline:
                    time.sleep(0.2)
                if _alive(pid):
                    os.killpg(pid, signal.SIGKILL)
        (self.state / "pids.json").unlink(missing_ok=True)
        (self.state / "settings.json").unlink(missing_ok=True)

    # ------------------------------------------------------------------ driving it
    def admin(self) -> httpx.Client:
        """A client of the hub API with the testbed service's token."""
        token = self.secrets()["service_token"]
        return httpx.Client(
            base_url=self.api_url + "/",
            headers={"Authorization": f"token {token}"},
            timeout=30,
        )

    def sign_in(self, client: httpx.Client | None = None) -> httpx.Client:
        """Sign the test user in as a browser would: hub -> provider login form -> hub cookie."""
        client = client or httpx.Client(timeout=30, verify=self.ca)
        page = client.get(f"{self.url}/hub/oauth_login?next=/hub/home", follow_redirects=True)
        if "/interaction/" not in str(page.url):
            raise RuntimeError(f"expected the provider's login page, got {page.url}")
        done = client.post(
            f"{str(page.url).split('?')[0]}/login",
            data={"login": self.user, "password": self.password},
            follow_redirects=True,
        )
        if done.status_code != 200 or not str(done.url).startswith(self.url):
            raise RuntimeError(f"sign-in did not return to the hub: {done.status_code} {done.url}")
        return client

    def auth_state(self, user: str | None = None) -> dict:
        with self.admin() as api:
            model = api.get(f"users/{user or self.user}").raise_for_status().json()
        return model.get("auth_state") or {}

    def server_token(self, user: str | None = None) -> str:
        """A hub API token of the user with exactly the scopes its single-user server gets."""
        with self.admin() as api:
            answer = api.post(
                f"users/{user or self.user}/tokens",
                json={
                    "note": "escape testbed: single-user server scopes",
                    "scopes": [
                        "users:activity!user",
                        "access:servers!server",
                        "read:users!user",
                        "admin:auth_state!user",
                    ],
                    "expires_in": 3600,
                },
            )
            return answer.raise_for_status().json()["token"]

    def revoke_refresh_token(self, user: str | None = None) -> None:
        """What an identity provider's admin (or the user, signing out elsewhere) does: revoke
        the refresh token the hub holds; the provider revokes its whole grant."""
        state = self.auth_state(user)
        answer = httpx.post(
            f"{self.oidc_url}/token/revocation",
            data={"token": state["refresh_token"], "token_type_hint": "refresh_token"},
            auth=("jupyterhub", self.secrets()["client_secret"]),
            timeout=10,
            verify=self.ca,
        )
        answer.raise_for_status()

    def map_rucio_identity(self, rucio_url: str, root: dict, account: str = "jdoe") -> None:
        """Map the test user's OIDC identity ("SUB=<user>, ISS=<issuer>") to a Rucio account,
        as a Rucio admin does (rucio-admin identity add); an existing mapping is kept."""
        login = httpx.get(
            f"{rucio_url}/auth/userpass",
            headers={
                "X-Rucio-Account": root["account"],
                "X-Rucio-Username": root["username"],
                "X-Rucio-Password": root["password"],
            },
            timeout=30,
        ).raise_for_status()
        answer = httpx.post(
            f"{rucio_url}/accounts/{account}/identities",
            headers={"X-Rucio-Auth-Token": login.headers["X-Rucio-Auth-Token"]},
            json={
                "identity": f"SUB={self.user}, ISS={self.oidc_url}",
                "authtype": "OIDC",
                "email": f"{self.user}@example.org",
                "default": True,
            },
            timeout=30,
        )
        if answer.status_code not in (201, 409):
            answer.raise_for_status()

    def server_env(self, user: str | None = None) -> dict[str, str]:
        """The hub variables a single-user server of ``user`` sees (spawner.get_env)."""
        name = user or self.user
        return {
            "JUPYTERHUB_API_URL": self.api_url,
            "JUPYTERHUB_API_TOKEN": self.server_token(name),
            "JUPYTERHUB_USER": name,
            "JUPYTERHUB_BASE_URL": "/",
            "JUPYTERHUB_SERVICE_PREFIX": f"/user/{name}/",
            "JUPYTERHUB_PUBLIC_HUB_URL": f"{self.url}/hub/",
            "JUPYTERHUB_HOST": "",
        }


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    try:  # a zombie child of this process is not alive
        done, _ = os.waitpid(pid, os.WNOHANG)
        return done == 0
    except ChildProcessError:
        return True
