"""jupyterlab-escape: JupyterLab 4 workbench for the ESCAPE open-science services."""

try:
    from ._version import __version__
except ImportError:  # pragma: no cover - only in a source tree that was never built
    import warnings

    warnings.warn("jupyterlab_escape was not built: install it with pip", stacklevel=2)
    __version__ = "dev"


def _jupyter_labextension_paths():
    return [{"src": "labextension", "dest": "jupyterlab-escape"}]


def _jupyter_server_extension_points():
    from .app import EscapeApp

    return [{"module": "jupyterlab_escape", "app": EscapeApp}]


def load_ipython_extension(ipython):
    """``%load_ext jupyterlab_escape``: the ``%%reana`` cell magic (see kernel/magic.py)."""
    from .kernel.magic import register

    register(ipython)
