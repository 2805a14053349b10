"""Traitlets configuration of the three upstream services, with environment fallbacks.

Every value can be set in ``jupyter_server_config.py`` (``c.EscapeRucio.url = ...``). When it is
not, the environment variables that deployments already set are read: the ``RUCIO_*`` variables of
rucio-jupyterlab's container image, ``REANA_SERVER_URL`` / ``REANA_ACCESS_TOKEN`` of reana-client,
and ``ZENODO_*`` for the OSSR.
"""

from __future__ import annotations

import os
import stat
from urllib.parse import urlsplit, urlunsplit

from traitlets import Bool, Dict, Enum, Float, Int, List, TraitError, Unicode, default, validate
from traitlets.config import Configurable


def _env(*names: str, fallback: str = "") -> str:
    for name in names:
        value = os.environ.get(name)
        if value:
            return value
    return fallback


def _env_flag(name: str, fallback: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return fallback
    return value.strip().lower() in ("1", "true", "yes", "on")


def _normalize_url(url: str) -> str:
    return (url or "").strip().rstrip("/")


def public_url(url: str) -> str:
    """The URL without user info, query or fragment: safe to show in the browser."""
    if not url:
        return ""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


TOKEN_FILE_MAX = 64 * 1024  # a JWT is a few KiB; anything larger is not a token file
TOKEN_SOURCES = ("hub", "file", "env")  # where OIDC tokens come from, in the default order


def read_token_file(path: str) -> str:
    """A token file's contents, or "" when it is not a readable regular file of token size.

    Opened non-blocking and checked with fstat before reading: a FIFO, a device such as
    /dev/zero or a huge file never hangs or floods the server."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return ""
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_size > TOKEN_FILE_MAX:
            return ""
        data = os.read(fd, TOKEN_FILE_MAX + 1)
    except OSError:
        return ""
    finally:
        os.close(fd)
    return data.decode("utf-8", "replace").strip()


class ServiceConfig(Configurable):
    """Settings every upstream service shares: where it is and how to reach it."""

    service_id = ""
    display_name = ""
    url_env: tuple[str, ...] = ()
    ca_env: tuple[str, ...] = ()

    url = Unicode(help="Base URL of the service. Empty: the service is not configured.").tag(
        config=True
    )
    connect_timeout = Float(5.0, help="Seconds to wait for a TCP/TLS connection.").tag(config=True)
    read_timeout = Float(30.0, help="Seconds to wait for each read from the service.").tag(
        config=True
    )
    retries = Int(
        2, help="Extra attempts for idempotent GETs on connection errors or 502/503/504."
    ).tag(config=True)
    verify_tls = Bool(True, help="Verify the service's TLS certificate.").tag(config=True)
    ca_bundle = Unicode(
        help="Path of a PEM CA bundle to verify the service's certificate with."
    ).tag(config=True)

    @default("url")
    def _url_default(self) -> str:
        return _normalize_url(_env(*self.url_env))

    @default("ca_bundle")
    def _ca_default(self) -> str:
        return _env(*self.ca_env)

    @validate("url")
    def _check_url(self, proposal):
        value = _normalize_url(proposal["value"])
        if value and urlsplit(value).scheme not in ("http", "https"):
            raise TraitError(f"{type(self).__name__}.url must be an http(s) URL, got {value!r}")
        return value

    @property
    def configured(self) -> bool:
        return bool(self.url)

    def secrets(self) -> list[str]:
        """Values that must never leave the server (tokens, passwords)."""
        return []

    def tls_verify(self):
        """The value httpx wants for ``verify``."""
        if not self.verify_tls:
            return False
        return self.ca_bundle or True

    def how_to_configure(self) -> str:
        envs = " or ".join(self.url_env)
        return f"set c.{type(self).__name__}.url" + (f" or {envs}" if envs else "")


class EscapeRucio(ServiceConfig):
    """The ESCAPE Data Lake (Rucio)."""

    service_id = "rucio"
    display_name = "Rucio Data Lake"
    url_env = ("RUCIO_BASE_URL",)
    ca_env = ("RUCIO_CA_CERT",)

    auth_url = Unicode(help="Rucio authentication server URL; empty means the base URL.").tag(
        config=True
    )
    instance_name = Unicode(help="Short name of the Rucio instance (RUCIO_NAME).").tag(config=True)
    instance_display_name = Unicode(help="Name shown to users (RUCIO_DISPLAY_NAME).").tag(
        config=True
    )
    vo = Unicode(help="Rucio VO (RUCIO_VO); empty for single-VO servers.").tag(config=True)
    auth_type = Unicode(
        help="How the server authenticates to Rucio: userpass, oidc, x509 or x509_proxy "
        "(RUCIO_AUTH_TYPE)."
    ).tag(config=True)
    account = Unicode(help="Rucio account (RUCIO_ACCOUNT).").tag(config=True)
    username = Unicode(help="userpass identity (RUCIO_USERNAME).").tag(config=True)
    password = Unicode(help="userpass password (RUCIO_PASSWORD). Never sent to the browser.").tag(
        config=True
    )
    oidc_token_file = Unicode(
        help="File holding an OIDC access token, re-read when it changes (RUCIO_OIDC_FILE_NAME)."
    ).tag(config=True)
    client_cert = Unicode(
        help="X.509 certificate or proxy for x509 auth (X509_USER_CERT, else X509_USER_PROXY)."
    ).tag(config=True)
    client_key = Unicode(help="X.509 key for x509 auth (X509_USER_KEY).").tag(config=True)
    webui_url = Unicode(help="Rucio WebUI, for 'open in WebUI' links (RUCIO_WEBUI_URL).").tag(
        config=True
    )
    instances = List(
        Dict(),
        help="Further Rucio instances the user may switch to: each a dict of EscapeRucio "
        "settings (name, display_name, url, auth_url, vo, account, ...) overriding these ones.",
    ).tag(config=True)
    token_margin = Int(
        60, help="Seconds before a Rucio token's expiry at which it is renewed."
    ).tag(config=True)
    oidc_token_env = Unicode(
        help="Environment variable holding an OIDC access token (RUCIO_OIDC_ENV_NAME)."
    ).tag(config=True)
    oidc_audience = Unicode(
        "rucio",
        help="Audience of the token used for Rucio: under JupyterHub, the hub's auth state "
        "entry exchanged_tokens[<audience>] is used when present, else its access token "
        "(RUCIO_OIDC_AUDIENCE).",
    ).tag(config=True)
    token_sources = List(
        Enum(TOKEN_SOURCES),
        default_value=list(TOKEN_SOURCES),
        help="Where an OIDC token for Rucio comes from, in order of preference: 'hub' (the "
        "JupyterHub auth state, refreshed by the hub), 'file' (oidc_token_file, re-read when a "
        "refresher rewrites it), 'env' (the variable oidc_token_env names).",
    ).tag(config=True)
    mode = Unicode(help="Fetch mode: download or replica (RUCIO_MODE).").tag(config=True)
    destination_rse = Unicode(
        help="RSE mounted into this host, replica mode (RUCIO_DESTINATION_RSE)."
    ).tag(config=True)
    rse_mount_path = Unicode(help="Where destination_rse is mounted (RUCIO_RSE_MOUNT_PATH).").tag(
        config=True
    )
    path_begins_at = Int(
        help="PFN path components to drop before rse_mount_path (RUCIO_PATH_BEGINS_AT)."
    ).tag(config=True)
    replication_rule_lifetime_days = Int(
        help="Lifetime of the rules 'Make available' creates, in days; 0 for none "
        "(RUCIO_REPLICATION_RULE_LIFETIME_DAYS)."
    ).tag(config=True)
    fetch_dir = Unicode(
        "datalake",
        help="Workspace folder that fetched files go to, as <fetch_dir>/<scope>/<name>.",
    ).tag(config=True)
    fetch_concurrency = Int(8, help="Files one fetch job downloads at once (1-64).").tag(
        config=True
    )
    fetch_max_jobs = Int(
        8, help="Fetch jobs this server runs at once; more are refused with HTTP 429."
    ).tag(config=True)
    allow_private_storage = Bool(
        help="Let storage URLs that Rucio hands out point at loopback or private addresses "
        "(a local or on-site testbed; ESCAPE_ALLOW_PRIVATE_STORAGE=1). Link-local addresses "
        "(cloud metadata services) are always refused."
    ).tag(config=True)
    storage_redirect_domains = List(
        Unicode(),
        help="Storage redirects are followed within the same origin only; a redirect to a host "
        "ending in one of these domains (e.g. '.cern.ch' for door-to-pool redirects) is followed "
        "too.",
    ).tag(config=True)

    @default("allow_private_storage")
    def _private_storage_default(self):
        return _env("ESCAPE_ALLOW_PRIVATE_STORAGE", fallback="0").lower() in ("1", "true", "yes")

    @default("replication_rule_lifetime_days")
    def _lifetime_default(self):
        return int(_env("RUCIO_REPLICATION_RULE_LIFETIME_DAYS", fallback="0") or 0)

    @default("auth_url")
    def _auth_url_default(self):
        return _normalize_url(_env("RUCIO_AUTH_URL"))

    @default("instance_name")
    def _name_default(self):
        return _env("RUCIO_NAME", fallback="default")

    @default("instance_display_name")
    def _display_default(self):
        return _env("RUCIO_DISPLAY_NAME", fallback="Rucio")

    @default("vo")
    def _vo_default(self):
        return _env("RUCIO_VO")

    @default("auth_type")
    def _auth_type_default(self):
        return _env("RUCIO_AUTH_TYPE", "RUCIO_DEFAULT_AUTH_TYPE", fallback="userpass")

    @default("account")
    def _account_default(self):
        return _env("RUCIO_ACCOUNT")

    @default("username")
    def _username_default(self):
        return _env("RUCIO_USERNAME")

    @default("password")
    def _password_default(self):
        return _env("RUCIO_PASSWORD")

    @default("oidc_token_file")
    def _oidc_file_default(self):
        return _env("RUCIO_OIDC_FILE_NAME")

    @default("client_cert")
    def _cert_default(self):
        return _env("X509_USER_CERT", "X509_USER_PROXY")

    @default("client_key")
    def _key_default(self):
        return _env("X509_USER_KEY")

    @default("webui_url")
    def _webui_default(self):
        return _normalize_url(_env("RUCIO_WEBUI_URL"))

    @default("oidc_token_env")
    def _oidc_env_default(self):
        return _env("RUCIO_OIDC_ENV_NAME", fallback="RUCIO_ACCESS_TOKEN")

    @default("oidc_audience")
    def _audience_default(self):
        return _env("RUCIO_OIDC_AUDIENCE", fallback="rucio")

    @default("mode")
    def _mode_default(self):
        return _env("RUCIO_MODE", fallback="download")

    @default("destination_rse")
    def _dest_default(self):
        return _env("RUCIO_DESTINATION_RSE")

    @default("rse_mount_path")
    def _mount_default(self):
        return _env("RUCIO_RSE_MOUNT_PATH")

    @default("path_begins_at")
    def _path_begins_default(self):
        return int(_env("RUCIO_PATH_BEGINS_AT", fallback="0"))

    def oidc_token(self) -> str:
        """The OIDC token: from the token file when configured (read fresh), else the env var."""
        if self.oidc_token_file:
            return read_token_file(self.oidc_token_file)
        return os.environ.get(self.oidc_token_env, "").strip() if self.oidc_token_env else ""

    def secrets(self) -> list[str]:
        return [s for s in (self.password, self.oidc_token()) if s]


class EscapeReana(ServiceConfig):
    """The REANA reproducible analysis platform."""

    service_id = "reana"
    display_name = "REANA workflows"
    url_env = ("REANA_SERVER_URL",)
    ca_env = ("REANA_CA_BUNDLE",)

    access_token = Unicode(
        help="REANA access token (REANA_ACCESS_TOKEN). Never sent to the browser."
    ).tag(config=True)

    @default("access_token")
    def _token_default(self):
        return _env("REANA_ACCESS_TOKEN")

    access_token_file = Unicode(
        help="File holding the REANA token, re-read when a refresher rewrites it "
        "(REANA_ACCESS_TOKEN_FILE); used before access_token."
    ).tag(config=True)
    oidc_audience = Unicode(
        "reana",
        help="In bearer mode under JupyterHub: the auth state entry exchanged_tokens[<audience>] "
        "is sent when present, else the hub's access token (REANA_OIDC_AUDIENCE).",
    ).tag(config=True)
    token_sources = List(
        Enum(TOKEN_SOURCES),
        default_value=list(TOKEN_SOURCES),
        help="Where the REANA token comes from, in order of preference: 'hub' (bearer mode "
        "only: the JupyterHub auth state), 'file' (access_token_file), 'env' (access_token, "
        "REANA_ACCESS_TOKEN).",
    ).tag(config=True)

    @default("access_token_file")
    def _token_file_default(self):
        return _env("REANA_ACCESS_TOKEN_FILE")

    @default("oidc_audience")
    def _reana_audience_default(self):
        return _env("REANA_OIDC_AUDIENCE", fallback="reana")

    auth_mode = Enum(
        ["query", "bearer"],
        default_value="query",
        help="How the token is sent: 'query' (access_token parameter, REANA 0.9) or 'bearer' "
        "(Authorization: Bearer, REANA's coming OIDC mode) (REANA_AUTH_MODE).",
    ).tag(config=True)
    ui_url = Unicode(
        help="REANA web UI for 'Open in REANA' links (REANA_UI_URL); default: the server URL."
    ).tag(config=True)
    upload_concurrency = Int(8, help="Input files uploaded to REANA at the same time.").tag(
        config=True
    )
    submit_max_jobs = Int(
        4, help="Submissions this server runs at once; more are refused with HTTP 429."
    ).tag(config=True)
    outputs_dir = Unicode(
        "reana", help="Workspace folder that workflow outputs are downloaded into."
    ).tag(config=True)
    cwltool = Unicode(
        help="Command that runs cwltool, to pack CWL workflows before they are sent (as "
        "reana-client does); default: cwltool beside this Python or on PATH (the 'cwl' extra)."
    ).tag(config=True)
    snakemake_python = Unicode(
        help="A Python interpreter with snakemake 7, to load Snakemake workflows before they are "
        "sent (as reana-client does); default: this server's Python if it has snakemake."
    ).tag(config=True)
    engine_timeout = Int(
        120, help="Seconds cwltool or snakemake may take to load one workflow."
    ).tag(config=True)
    lake_stream_max_bytes = Int(
        256 * 1024 * 1024,
        help="Data Lake inputs of a workflow up to this many bytes (per DID) are streamed by this "
        "server into the workflow's uploaded inputs; larger ones are read by the workflow from "
        "the lake itself, with the user's Rucio identity set as REANA secrets (after consent).",
    ).tag(config=True)

    @default("verify_tls")
    def _verify_default(self):
        return _env_flag("REANA_VERIFY_TLS", True)

    @default("auth_mode")
    def _auth_mode_default(self):
        mode = _env("REANA_AUTH_MODE", fallback="query").strip().lower()
        return mode if mode in ("query", "bearer") else "query"

    @default("ui_url")
    def _ui_url_default(self):
        return _normalize_url(_env("REANA_UI_URL")) or self.url

    def secrets(self) -> list[str]:
        return [self.access_token] if self.access_token else []


class EscapeZenodo(ServiceConfig):
    """Zenodo, home of the OSSR software catalogue (community escape2020)."""

    service_id = "zenodo"
    display_name = "OSSR software catalogue (Zenodo)"
    url_env = ("ZENODO_BASE_URL",)
    ca_env = ("ZENODO_CA_BUNDLE",)

    community = Unicode(help="Zenodo community of the catalogue (ZENODO_COMMUNITY).").tag(
        config=True
    )
    access_token = Unicode(
        help="Optional Zenodo token (ZENODO_ACCESS_TOKEN). Never sent to the browser."
    ).tag(config=True)
    cache_ttl = Float(
        600.0, help="Seconds a Zenodo answer (search, record, citation) is served from cache."
    ).tag(config=True)
    search_rate = Int(
        24, help="Upstream searches allowed per minute (Zenodo allows 30 per minute)."
    ).tag(config=True)
    request_rate = Int(
        50, help="Other upstream requests allowed per minute (Zenodo allows 60 per minute)."
    ).tag(config=True)
    max_retry_wait = Float(
        5.0,
        help="Longest Retry-After (seconds) waited out on the server before asking the browser.",
    ).tag(config=True)
    fetch_dir = Unicode(
        "ossr", help="Workspace folder, relative to the server root, that record files go to."
    ).tag(config=True)
    fetch_max_bytes = Int(
        2 * 1024**3, help="Largest total size (bytes) of the files of one fetch."
    ).tag(config=True)
    fetch_max_jobs = Int(
        4, help="Record fetches this server runs at once; more are refused with HTTP 429."
    ).tag(config=True)

    sandbox_url = Unicode(
        help="Base URL of the Zenodo sandbox users may publish to for trying things out "
        "(ZENODO_SANDBOX_URL; default https://sandbox.zenodo.org)."
    ).tag(config=True)
    publish_community = Unicode(
        help="Community a publication asks to join (default: the catalogue's community)."
    ).tag(config=True)
    publish_grant = Bool(
        True, help="Add the ESCAPE grant (10.13039/501100000780::824064) as eossr does."
    ).tag(config=True)
    publish_max_bytes = Int(
        2 * 1024**3, help="Largest total size (bytes) of what one publication uploads."
    ).tag(config=True)
    publish_max_jobs = Int(
        2, help="Publications this server runs at once; more are refused with HTTP 429."
    ).tag(config=True)

    @default("url")
    def _url_default(self) -> str:
        return _normalize_url(_env(*self.url_env, fallback="https://zenodo.org"))

    @default("sandbox_url")
    def _sandbox_default(self) -> str:
        return _normalize_url(_env("ZENODO_SANDBOX_URL", fallback="https://sandbox.zenodo.org"))

    @validate("sandbox_url")
    def _check_sandbox_url(self, proposal):
        return _normalize_url(proposal["value"])

    @default("community")
    def _community_default(self):
        return _env("ZENODO_COMMUNITY", fallback="escape2020")

    @default("access_token")
    def _token_default(self):
        return _env("ZENODO_ACCESS_TOKEN")

    def secrets(self) -> list[str]:
        return [self.access_token] if self.access_token else []


SERVICE_CLASSES: tuple[type[ServiceConfig], ...] = (EscapeRucio, EscapeReana, EscapeZenodo)


class EscapeHub(Configurable):
    """The JupyterHub this server runs under, as a source of fresh tokens (see tokens.py).

    Defaults come from the variables the hub sets for every single-user server."""

    api_url = Unicode(help="The hub's API URL (JUPYTERHUB_API_URL).").tag(config=True)
    api_token = Unicode(
        help="This server's hub API token (JUPYTERHUB_API_TOKEN); it needs the scope "
        "admin:auth_state!user to read tokens. Never sent to the browser."
    ).tag(config=True)
    user = Unicode(help="The hub user this server belongs to (JUPYTERHUB_USER).").tag(config=True)
    login_url = Unicode(
        help="Where a user signs in again, shown when the hub cannot renew the tokens; default "
        "JUPYTERHUB_PUBLIC_HUB_URL + 'login', else JUPYTERHUB_BASE_URL + 'hub/login'."
    ).tag(config=True)
    margin = Float(
        10.0,
        help="Seconds before a token's expiry at which the hub is asked again (keep it below the "
        "hub's own refresh margin).",
    ).tag(config=True)
    timeout = Float(10.0, help="Seconds to wait for the hub's answer.").tag(config=True)

    @default("api_url")
    def _api_url_default(self):
        return _env("JUPYTERHUB_API_URL")

    @default("api_token")
    def _api_token_default(self):
        return _env("JUPYTERHUB_API_TOKEN", "JPY_API_TOKEN")

    @default("user")
    def _user_default(self):
        return _env("JUPYTERHUB_USER")

    @default("login_url")
    def _login_url_default(self):
        public = _env("JUPYTERHUB_PUBLIC_HUB_URL")
        if public:
            return public.rstrip("/") + "/login"
        base = _env("JUPYTERHUB_BASE_URL")
        if base:
            host = _env("JUPYTERHUB_HOST").rstrip("/")
            return f"{host}{base.rstrip('/')}/hub/login"
        return ""
