"""testbed/hub/hub {start|stop|status|env|journey|revoke} [--token-ttl S]: the hub testbed."""

from __future__ import annotations

import argparse
import json
import shlex
import sys

from .handle import HubTestbed


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="testbed/hub/hub", description=__doc__)
    parser.add_argument(
        "command", choices=["start", "stop", "restart", "status", "env", "journey", "revoke"]
    )
    parser.add_argument(
        "--token-ttl",
        type=int,
        default=120,
        help="lifetime of access tokens in seconds (default 120, as short as the ESCAPE IAM's)",
    )
    args = parser.parse_args(argv)
    hub = HubTestbed()
    if args.command == "stop":
        from .journey import stop_reana

        hub.stop()
        stop_reana(hub)
        print("hub testbed stopped")
    elif args.command == "journey":
        from .journey import journey

        try:
            print(json.dumps(journey()))
        except RuntimeError as exc:
            sys.exit(f"hub testbed: {exc}")
    elif args.command == "revoke":
        from .journey import revoke

        revoke()
        print("refresh token revoked")
    elif args.command in ("start", "restart"):
        if args.command == "restart":
            hub.stop()
        try:
            hub.start(token_ttl=args.token_ttl)
        except RuntimeError as exc:
            sys.exit(f"hub testbed: {exc}")
        print(f"hub {hub.url} (provider {hub.oidc_url}, user {hub.user} / {hub.password})")
    elif args.command == "status":
        if hub.running():
            print(f"hub {hub.url} running ({hub.settings()})")
        else:
            print("hub testbed not running")
            sys.exit(1)
    elif args.command == "env":
        for key, value in {
            "ESCAPE_HUB_URL": hub.url,
            "ESCAPE_OIDC_URL": hub.oidc_url,
            "ESCAPE_HUB_USER": hub.user,
            "ESCAPE_HUB_PASSWORD": hub.password,
        }.items():
            print(f"export {key}={shlex.quote(value)}")
