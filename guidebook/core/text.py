"""Rich text (HTML) as plain text, for everything that shows or indexes it without markup.

Django's `striptags` removes tags and nothing else, so `<h2>Harbour</h2><p>Lighthouse` becomes
"HarbourLighthouse": one word the search index cannot match, and cards that read "Why goWhere to
stand". Here a block element or a `<br>` leaves a space where it was, inline elements (`<strong>`,
`<a>`, …) leave nothing, so that `Har<em>bour</em>` stays one word. Entities are decoded,
whitespace is collapsed to single spaces and the content of `<script>`, `<style>` and `<template>`
is dropped (nh3 removes those on save; text from elsewhere may still have them).

The result is plain text, not HTML: templates escape it like any other string.
"""

from html.parser import HTMLParser

# Elements that break a line in a browser: the words on either side are separate words.
BLOCK_ELEMENTS = frozenset(
    {
        "address", "article", "aside", "blockquote", "br", "caption", "dd", "details", "dialog",
        "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2",
        "h3", "h4", "h5", "h6", "header", "hgroup", "hr", "legend", "li", "main", "nav", "ol",
        "option", "p", "pre", "section", "summary", "table", "tbody", "td", "tfoot", "th",
        "thead", "tr", "ul",
    }
)  # fmt: skip
# Elements whose content is not text a reader sees.
HIDDEN_ELEMENTS = frozenset({"script", "style", "template"})


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in HIDDEN_ELEMENTS:
            self.hidden_depth += 1
        elif tag in BLOCK_ELEMENTS:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in HIDDEN_ELEMENTS:
            self.hidden_depth = max(0, self.hidden_depth - 1)
        elif tag in BLOCK_ELEMENTS:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self.hidden_depth:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    """The words of `html` as one line of plain text, block elements and `<br>` kept apart."""
    if not html:
        return ""
    collector = _TextCollector()
    collector.feed(str(html))
    collector.close()
    # str.split() also splits on the no-break spaces (&nbsp;) editors sprinkle between words.
    return " ".join("".join(collector.parts).split())
