"""Server-side sanitizing of record descriptions (HTML written by record authors).

nh3 (the Rust ammonia sanitizer, MIT) keeps a small allow-list of formatting tags: scripts and
styles go with their content, event handlers and ``javascript:`` URLs are dropped, links open in
a new tab without referrer. Remote images would tell a third party who reads what, so they are
removed unless the user asked to see them.
"""

from __future__ import annotations

from html.parser import HTMLParser

import nh3

_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "div", "dl", "dt", "em", "h1", "h2",
    "h3", "h4", "h5", "h6", "hr", "i", "li", "ol", "p", "pre", "span", "strong", "sub", "sup",
    "table", "tbody", "td", "th", "thead", "tr", "u", "ul",
}  # fmt: skip
_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "td": {"colspan"}, "th": {"colspan"}}


class _ImageCounter(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def handle_starttag(self, tag, attrs):
        if tag == "img" and any(k == "src" and v for k, v in attrs):
            self.count += 1


def remote_images(html: str) -> int:
    counter = _ImageCounter()
    counter.feed(html or "")
    return counter.count


def sanitize_description(html: str, *, images: bool = False) -> str:
    """Inert HTML: no script, no event handler, no remote image unless ``images``."""
    tags = set(_TAGS)
    attributes = {k: set(v) for k, v in _ATTRIBUTES.items()}
    if images:
        tags.add("img")
        attributes["img"] = {"src", "alt", "width", "height"}
    return nh3.clean(
        html or "",
        tags=tags,
        clean_content_tags={"script", "style"},
        attributes=attributes,
        url_schemes={"https", "http", "mailto"},
        link_rel="noopener noreferrer nofollow",
        set_tag_attribute_values={"a": {"target": "_blank"}},
        strip_comments=True,
    )
