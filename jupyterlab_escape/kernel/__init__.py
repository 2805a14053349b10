"""The kernel side: what runs inside a notebook's Python kernel.

It talks to this package's server extension over its REST API (never to REANA directly), so
the credentials stay on the server. IPython is imported only by ``magic.py``.
"""

from .api import EscapeServer, outputs, outputs_to_lake, status, submit, submit_cell, wait
from .datalake import fetch, upload

__all__ = [
    "EscapeServer",
    "fetch",
    "outputs",
    "outputs_to_lake",
    "status",
    "submit",
    "submit_cell",
    "upload",
    "wait",
]
