"""GET /escape/openapi.yaml: the OpenAPI description of every /escape/ route (``openapi.yaml``
beside this file), authenticated like every route. The tests hold the server to it."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import tornado.web

from .handler import EscapeHandler

DESCRIPTION = Path(__file__).with_name("openapi.yaml")


@lru_cache(maxsize=1)
def description_text() -> str:
    return DESCRIPTION.read_text(encoding="utf-8")


class OpenAPIHandler(EscapeHandler):
    @tornado.web.authenticated
    async def get(self) -> None:
        # APIHandler.finish would label the body JSON otherwise.
        self.finish(description_text(), set_content_type="application/yaml; charset=utf-8")


routes = [(r"/escape/openapi.yaml", OpenAPIHandler)]
