"""The Software Catalogue slice: the ESCAPE OSSR (Zenodo community escape2020) in JupyterLab."""
