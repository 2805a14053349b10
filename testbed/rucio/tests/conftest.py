"""Lets `python -m pytest testbed/rucio/tests` run on its own.

The plugin is registered here through the plugin manager rather than with a
``pytest_plugins = [...]`` variable: pytest refuses that variable in a conftest that is not
top-level, which this one is not when the whole repository is collected (where the root
conftest already loads the plugin, and this hook then does nothing).
"""

PLUGIN = "testbed.rucio.pytest_plugin"


def pytest_configure(config):
    if not config.pluginmanager.has_plugin(PLUGIN):
        config.pluginmanager.import_plugin(PLUGIN)
