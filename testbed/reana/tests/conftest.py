from testbed.reana.pytest_plugin import reana_standin  # noqa: F401
