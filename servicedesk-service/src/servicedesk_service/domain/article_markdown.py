"""Article bodies: Markdown rendered to HTML that is safe to put in a page, its plain text, a summary.

Raw HTML in the Markdown is shown as text, never passed through, so no <script>, no event
attribute (onerror=…) can reach the page. Links and images keep only targets on an allow-list of
schemes (a javascript: or data: target is not made a link at all).
"""
from __future__ import annotations

import re
from functools import lru_cache

from markdown_it import MarkdownIt

SUMMARY_LENGTH = 240
ALLOWED_SCHEMES = frozenset({"http", "https", "mailto"})
_SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):")


def link_allowed(url: str) -> bool:
    """Relative links, anchors and allow-listed schemes; `url` comes normalised by the parser."""
    scheme = _SCHEME.match(url.strip().lower())
    return scheme is None or scheme.group(1) in ALLOWED_SCHEMES


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    parser = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])
    parser.validateLink = link_allowed
    return parser


def to_html(markdown: str) -> str:
    return _parser().render(markdown)


def plain_text(markdown: str) -> str:
    """The words a reader sees, without Markdown syntax or link targets: what search indexes."""
    pieces: list[str] = []
    for token in _parser().parse(markdown):
        if token.type in ("fence", "code_block"):
            pieces.append(token.content)
        for child in token.children or ():
            if child.type in ("text", "code_inline"):
                pieces.append(child.content)
            elif child.type == "image":
                pieces.append(child.content)
            elif child.type in ("softbreak", "hardbreak"):
                pieces.append(" ")
        if token.block and token.nesting != 1:
            pieces.append("\n")
    text = re.sub(r"[ \t]+", " ", "".join(pieces))
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def summary(markdown: str, length: int = SUMMARY_LENGTH) -> str:
    """The beginning of the plain text, cut at a word boundary."""
    text = " ".join(plain_text(markdown).split())
    if len(text) <= length:
        return text
    cut = text[:length].rsplit(" ", 1)[0] if " " in text[:length] else text[:length]
    return cut.rstrip(" ,.;:") + "…"
