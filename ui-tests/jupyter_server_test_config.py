"""Server configuration of the Galata journeys (test-only: no token, no XSRF).

The Rucio side is the real testbed: scripts/test exports RUCIO_BASE_URL and friends from it.
REANA is the REANA stand-in (testbed/reana) whose URL and token scripts/test exports as
ESCAPE_REANA_URL / ESCAPE_REANA_TOKEN (without them, REANA is not configured); Zenodo is the Zenodo stand-in (testbed/zenodo) whose URL scripts/test
exports as ESCAPE_ZENODO_URL (without it, a closed loopback port: Zenodo shows unreachable).
"""

import os

from jupyterlab.galata import configure_jupyter_server

configure_jupyter_server(c)  # noqa: F821

c.ServerApp.port = int(os.environ.get("ESCAPE_UI_PORT", "8888"))  # noqa: F821
c.ServerApp.base_url = os.environ.get("ESCAPE_UI_BASE_URL", "/")  # noqa: F821
c.EscapeReana.url = os.environ.get("ESCAPE_REANA_URL", "")  # noqa: F821
c.EscapeReana.access_token = os.environ.get("ESCAPE_REANA_TOKEN", "")  # noqa: F821
c.EscapeZenodo.url = os.environ.get("ESCAPE_ZENODO_URL", "http://127.0.0.1:9")  # noqa: F821
c.EscapeZenodo.connect_timeout = 2.0  # noqa: F821
c.ServerApp.allow_root = True  # noqa: F821  (CI machines run as root)

# A second Rucio instance to switch to: the testbed's second server (same data).
if os.environ.get("ESCAPE_TESTBED_SECOND_URL"):
    c.EscapeRucio.instances = [  # noqa: F821
        {
            "name": "second",
            "display_name": "Second testbed server",
            "url": os.environ["ESCAPE_TESTBED_SECOND_URL"],
        }
    ]
