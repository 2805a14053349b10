"""What a REANA job step's ``rucio download DID...`` does, run by the REANA STAND-IN with the
testbed's real Rucio client (its own venv), under the configuration REANA's Rucio init container
rendered from the user's secrets.

    python rucio_step.py WORKDIR DID [DID...]

Each DID is resolved (``get_did``) and downloaded into WORKDIR with Rucio's DownloadClient, which
checks adler32/md5 as ``rucio download`` does. Prints one line per DID; on failure prints Rucio's
own exception and message and exits 1, as the step's command would fail.
"""

from __future__ import annotations

import logging
import sys


def main(argv: list[str]) -> int:
    workdir, dids = argv[0], argv[1:]
    logging.disable(logging.CRITICAL)  # the client's progress lines are not the step's words
    try:
        from rucio.client import Client
        from rucio.client.downloadclient import DownloadClient

        client = Client()
        for did in dids:
            scope, _, name = did.partition(":")
            client.get_did(scope, name)
            results = DownloadClient(client=client).download_dids(
                [{"did": did, "base_dir": workdir}]
            )
            done = [r for r in results if r.get("clientState") in ("DONE", "ALREADY_DONE")]
            if len(done) != len(results) or not results:
                state = next((r.get("clientState") for r in results if r not in done), "none")
                print(f"rucio download {did}: {len(results) - len(done)} file(s) failed ({state})")
                return 1
            size = sum(int(r.get("bytes") or 0) for r in results)
            print(f"rucio download {did}: {len(results)} file(s), {size} bytes, checksums verified")
    except Exception as error:  # the step fails with the client's own words
        text = " ".join(str(error).split())
        print(f"{type(error).__name__}: {text}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
