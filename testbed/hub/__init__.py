"""JupyterHub + OpenID Connect provider testbed: see testbed/hub/README.md."""
