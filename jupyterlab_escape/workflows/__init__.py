"""The REANA workflow launcher: submission pipeline, workflow following, outputs."""
