"""REANA STAND-IN for tests and the demo (a named test double of the REANA 0.9 REST API)."""
