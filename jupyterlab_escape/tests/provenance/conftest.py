"""Provenance runs against the REANA stand-in (the workflows fixtures) and the Rucio testbed."""

from __future__ import annotations

from ..workflows.conftest import escape_config, project, reana_standin  # noqa: F401
