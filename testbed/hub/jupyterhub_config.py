# JupyterHub of the testbed (testbed/hub): a real hub, its configurable-http-proxy (npm, in
# testbed/hub/node_modules), GenericOAuthenticator signing users in at the testbed's OpenID Connect
# provider (provider.mjs) with encrypted auth state, and single-user JupyterLab servers with
# jupyterlab_escape spawned as local processes of the current user.
#
# Everything comes from the environment that testbed/hub/hub (python -m testbed.hub) sets:
# ESCAPE_HUB_STATE, ESCAPE_HUB_PORT, ESCAPE_HUB_API_PORT, ESCAPE_HUB_PROXY_API_PORT,
# ESCAPE_OIDC_URL, ESCAPE_OIDC_CLIENT_SECRET, ESCAPE_HUB_SERVICE_TOKEN, ESCAPE_HUB_REFRESH_MARGIN,
# ESCAPE_HUB_REFRESH_AGE, JUPYTERHUB_CRYPT_KEY; single-user servers get the RUCIO_*, REANA_*,
# ZENODO_* and ESCAPE_* variables of the hub's environment.
import os
import sys
from pathlib import Path

from jupyterlab_escape.hub import token_hooks

c = get_config()  # noqa: F821 - provided by JupyterHub

HERE = Path(__file__).resolve().parent
STATE = Path(os.environ["ESCAPE_HUB_STATE"])
PORT = int(os.environ.get("ESCAPE_HUB_PORT", "18600"))
API_PORT = int(os.environ.get("ESCAPE_HUB_API_PORT", "18601"))
PROXY_API_PORT = int(os.environ.get("ESCAPE_HUB_PROXY_API_PORT", "18602"))
OIDC = os.environ["ESCAPE_OIDC_URL"].rstrip("/")
PUBLIC = f"http://127.0.0.1:{PORT}"

c.JupyterHub.bind_url = PUBLIC
c.JupyterHub.public_url = PUBLIC  # servers learn JUPYTERHUB_PUBLIC_HUB_URL (the login link)
c.JupyterHub.hub_bind_url = f"http://127.0.0.1:{API_PORT}"
c.JupyterHub.db_url = f"sqlite:///{STATE / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(STATE / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(STATE / "jupyterhub.pid")
c.ConfigurableHTTPProxy.command = [str(HERE / "node_modules" / ".bin" / "configurable-http-proxy")]
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{PROXY_API_PORT}"
c.ConfigurableHTTPProxy.pid_file = str(STATE / "proxy.pid")
c.ConfigurableHTTPProxy.auth_token = os.environ["ESCAPE_HUB_PROXY_TOKEN"]

# --- sign-in: GenericOAuthenticator at the testbed's provider, auth state encrypted
c.JupyterHub.authenticator_class = "generic-oauth"
c.GenericOAuthenticator.client_id = "jupyterhub"
c.GenericOAuthenticator.client_secret = os.environ["ESCAPE_OIDC_CLIENT_SECRET"]
c.GenericOAuthenticator.oauth_callback_url = f"{PUBLIC}/hub/oauth_callback"
c.GenericOAuthenticator.authorize_url = f"{OIDC}/auth"
c.GenericOAuthenticator.token_url = f"{OIDC}/token"
c.GenericOAuthenticator.userdata_url = f"{OIDC}/me"
c.GenericOAuthenticator.scope = ["openid", "profile", "email", "offline_access"]
c.GenericOAuthenticator.username_claim = "preferred_username"
c.GenericOAuthenticator.login_service = "ESCAPE test IdP"
c.GenericOAuthenticator.allow_all = True
# The provider's certificate (the Rucio testbed's, or the hub testbed's own)
c.GenericOAuthenticator.http_request_kwargs = {"ca_certs": os.environ["ESCAPE_OIDC_TLS_CERT"]}
c.GenericOAuthenticator.enable_auth_state = True  # encrypted with JUPYTERHUB_CRYPT_KEY
# Refresh: tokens are exchanged per audience at login and on every refresh; the refresh hook says
# "fresh" without a network call while every token has more than the margin left.
modify_auth_state, refresh_user = token_hooks(
    audiences=["rucio", "reana"], margin=float(os.environ.get("ESCAPE_HUB_REFRESH_MARGIN", "30"))
)
c.GenericOAuthenticator.modify_auth_state_hook = modify_auth_state
c.GenericOAuthenticator.refresh_user_hook = refresh_user
c.Authenticator.auth_refresh_age = int(os.environ.get("ESCAPE_HUB_REFRESH_AGE", "10"))
c.Authenticator.refresh_pre_spawn = True

# --- who may read what: a user's own server reads that user's auth state (JupyterHub 6)
c.JupyterHub.extra_user_scopes = {"admin:auth_state!user"}
c.Spawner.server_token_scopes = [
    "users:activity!user",
    "access:servers!server",
    "read:users!user",
    "admin:auth_state!user",
]
# The testbed's own client (pytest, Galata): reads auth state and revokes, starts servers.
c.JupyterHub.services = [
    {"name": "escape-testbed", "api_token": os.environ["ESCAPE_HUB_SERVICE_TOKEN"]}
]
c.JupyterHub.load_roles = [
    {
        "name": "escape-testbed",
        "scopes": [
            "admin:users",
            "admin:auth_state",
            "admin:servers",
            "access:servers",
            "tokens",
            "read:users",
        ],
        "services": ["escape-testbed"],
    }
]

# --- single-user servers: JupyterLab with jupyterlab_escape, local processes of this user
c.JupyterHub.spawner_class = "simple"
c.SimpleLocalProcessSpawner.home_dir_template = str(STATE / "home" / "{username}")
c.Spawner.cmd = [str(Path(sys.executable).parent / "jupyterhub-singleuser")]
c.Spawner.default_url = "/lab"
c.Spawner.start_timeout = 60
c.Spawner.http_timeout = 60
if os.geteuid() == 0:
    c.Spawner.args = ["--allow-root"]
PREFIXES = ("RUCIO_", "REANA_", "ZENODO_", "ESCAPE_", "X509_")
c.Spawner.environment = {
    k: v
    for k, v in os.environ.items()
    if k.startswith(PREFIXES)
    and k
    not in (
        "ESCAPE_HUB_SERVICE_TOKEN",
        "ESCAPE_OIDC_CLIENT_SECRET",
        "ESCAPE_OIDC_RUCIO_SECRET",
        "ESCAPE_HUB_PROXY_TOKEN",
        "ESCAPE_OIDC_TLS_KEY",
    )
}
