"""``%%reana``: Shift+Enter on a cell holding a REANA specification launches it.

    %load_ext jupyterlab_escape

    %%reana -n fit -p events=1000 --wait
    version: 0.9.0
    inputs: ...

The cell's output is the workflow's MIME bundle, which JupyterLab renders as a live status.
Errors are printed as one sentence (with the cell's line numbers for a spec problem).
"""

from __future__ import annotations

import sys

from .api import EscapeKernelError, bundle, submit_cell, wait

MAGIC = "%%reana"


def run_cell(line: str, cell: str, display) -> dict | None:
    """What the magic does, with ``display`` passed in (tests call it without IPython).

    The cell goes to the server as written: the server is the one parser of the magic's options
    (a bad option comes back as its 400 message)."""
    workflow = submit_cell(f"{MAGIC} {line}\n{cell}")
    for warning in workflow.get("warnings") or []:
        print(f"REANA: {warning}", file=sys.stderr)  # e.g. hidden files left out of the inputs
    handle = display(bundle(workflow), raw=True, display_id=True)
    if workflow.get("wait"):
        final = wait(workflow)
        if handle is not None:
            handle.update(bundle(workflow, final), raw=True)
        return final
    return None


def register(ipython) -> None:
    from IPython.core.error import UsageError
    from IPython.display import display

    def reana(line: str, cell: str):
        try:
            return run_cell(line, cell, display)
        except EscapeKernelError as err:
            # One readable sentence (shown in red, without a traceback through our internals).
            raise UsageError(f"REANA: {err}") from None

    ipython.register_magic_function(reana, magic_kind="cell", magic_name="reana")
