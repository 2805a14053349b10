"""Start, stop and inspect the Zenodo stand-in on 127.0.0.1.

    python -m testbed.zenodo serve [--port N]   run in the foreground
    testbed/zenodo/standin setup|start|stop|status|url   [--port N]
``setup`` builds the real eossr's own venv (eossr_env.py), the reference our tests compare with.
The background server's pid (one file per port) and log live in testbed/.run/zenodo/.
"""

from __future__ import annotations

import argparse
import asyncio
import os

from ..standin import BackgroundServer
from . import eossr_env
from .eossr_env import RUN

DEFAULT_PORT = int(os.environ.get("ESCAPE_ZENODO_PORT", "18090"))


SERVER = BackgroundServer("Zenodo stand-in", "testbed.zenodo", RUN, DEFAULT_PORT)
url = SERVER.url


def serve(port: int) -> None:
    from .server import make_app

    async def main():
        app = make_app()
        app.listen(port, address="127.0.0.1")
        print(
            f"Zenodo stand-in at {url(port)} ({len(app.standin_state.records)} records)", flush=True
        )
        await asyncio.Event().wait()

    asyncio.run(main())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="testbed/zenodo/standin", description=__doc__)
    parser.add_argument("command", choices=["setup", "serve", "start", "stop", "status", "url"])
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    args = parser.parse_args(argv)
    if args.command == "setup":
        return eossr_env.setup()
    if args.command == "serve":
        serve(args.port)
        return 0
    if args.command == "start":
        return SERVER.start(args.port)
    if args.command == "stop":
        return SERVER.stop(args.port)
    if args.command == "url":
        print(url(args.port))
        return 0
    return SERVER.status(args.port)
