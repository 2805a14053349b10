"""Zenodo STAND-IN for tests and the demo (a named test double of Zenodo's records API)."""
