"""Server configuration of the Galata journeys (test-only: no token, no XSRF).

The Rucio side is the real testbed: scripts/test exports RUCIO_BASE_URL and friends from it.
REANA is left unconfigured and Zenodo points at a closed loopback port, so the services view
shows all three states a user can meet: reachable, not configured, unreachable.
"""

import os

from jupyterlab.galata import configure_jupyter_server

configure_jupyter_server(c)  # noqa: F821

c.ServerApp.port = int(os.environ.get("ESCAPE_UI_PORT", "8888"))  # noqa: F821
c.ServerApp.base_url = os.environ.get("ESCAPE_UI_BASE_URL", "/")  # noqa: F821
c.EscapeReana.url = ""  # noqa: F821
c.EscapeZenodo.url = "http://127.0.0.1:9"  # noqa: F821  (discard port: nothing listens)
c.EscapeZenodo.connect_timeout = 2.0  # noqa: F821
c.ServerApp.allow_root = True  # noqa: F821  (CI machines run as root)
