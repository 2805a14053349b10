"""Root conftest: the Jupyter server fixtures and the real Rucio testbed for every test."""

pytest_plugins = ("pytest_jupyter.jupyter_server", "testbed.rucio.pytest_plugin")
