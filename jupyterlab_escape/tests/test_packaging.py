"""The wheel layout that makes `pip install .` enough: labextension and server config shipped."""

import json
from pathlib import Path

import tomllib

import jupyterlab_escape

REPO = Path(__file__).resolve().parents[2]


def test_server_extension_enabled_by_shipped_config():
    config = json.loads((REPO / "jupyter-config/server-config/jupyterlab_escape.json").read_text())
    assert config == {"ServerApp": {"jpserver_extensions": {"jupyterlab_escape": True}}}
    shared = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["hatch"]["build"][
        "targets"
    ]["wheel"]["shared-data"]
    assert shared["jupyter-config/server-config"] == "etc/jupyter/jupyter_server_config.d"


def test_labextension_paths_match_the_npm_package():
    package = json.loads((REPO / "package.json").read_text())
    (path,) = jupyterlab_escape._jupyter_labextension_paths()
    assert path["dest"] == package["name"]
    assert package["jupyterlab"]["outputDir"] == f"jupyterlab_escape/{path['src']}"
    shared = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["hatch"]["build"][
        "targets"
    ]["wheel"]["shared-data"]
    assert (
        shared["jupyterlab_escape/labextension"] == f"share/jupyter/labextensions/{package['name']}"
    )


def test_server_extension_point_is_the_escape_app():
    (point,) = jupyterlab_escape._jupyter_server_extension_points()
    assert point["module"] == "jupyterlab_escape"
    assert point["app"].name == "jupyterlab_escape"


def test_readme_documents_every_setting():
    from jupyterlab_escape.config import SERVICE_CLASSES, ServiceConfig

    readme = (REPO / "README.md").read_text()
    shared = set(ServiceConfig.class_traits(config=True))
    for cls in SERVICE_CLASSES:
        for name in cls.class_traits(config=True):
            documented = f"`{cls.__name__}.{name}`" in readme or (
                name in shared and f"`<S>.{name}`" in readme
            )
            assert documented, f"README lacks {cls.__name__}.{name}"
