"""Print the environment that points jupyterlab_escape at the local Rucio testbed.

Used by scripts/demo and scripts/test: ``eval "$(python scripts/lib/testbed_env.py)"``. The
variables are the ones real deployments set (rucio-jupyterlab's RUCIO_*), so the extension reads
the testbed exactly as it would read the ESCAPE Data Lake.
"""

import shlex
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from testbed.rucio.handle import default_state_dir, load_testbed  # noqa: E402


def main() -> None:
    tb = load_testbed(default_state_dir())
    env = {
        "RUCIO_BASE_URL": tb.base_url,
        "RUCIO_AUTH_URL": tb.auth_url,
        "RUCIO_NAME": "testbed",
        "RUCIO_DISPLAY_NAME": "Local Rucio testbed",
        "RUCIO_AUTH_TYPE": "userpass",
        "RUCIO_ACCOUNT": tb.root.account,
        "RUCIO_USERNAME": tb.root.username,
        "RUCIO_PASSWORD": tb.root.password,
        "RUCIO_CA_CERT": str(tb.ca_cert),
        "RUCIO_DESTINATION_RSE": tb.local_rse.name,
        "RUCIO_RSE_MOUNT_PATH": str(tb.local_rse.mount_path),
        "RUCIO_PATH_BEGINS_AT": str(tb.local_rse.path_begins_at),
        # The testbed's storage listens on loopback, which a real deployment refuses.
        "ESCAPE_ALLOW_PRIVATE_STORAGE": "1",
    }
    # The testbed's second server (same data, short-lived tokens): a second instance for the UI.
    env["ESCAPE_TESTBED_SECOND_URL"] = tb.short_token_auth_url
    if tb.vo and tb.vo != "def":
        env["RUCIO_VO"] = tb.vo
    for key, value in env.items():
        print(f"export {key}={shlex.quote(str(value))}")


if __name__ == "__main__":
    main()
