"""Root conftest: the Jupyter server fixtures and the real Rucio testbed for every test, and the
OpenAPI check of every /escape/ exchange made through jp_fetch."""

pytest_plugins = (
    "pytest_jupyter.jupyter_server",
    "testbed.rucio.pytest_plugin",
    "jupyterlab_escape.tests.openapi_plugin",
)
