"""Rich text (guide bodies, flatpage content) cleaned with nh3 before it is stored.

Templates print stored rich text with `|safe`, so this is the only line of defence: everything
not on these allowlists goes. The lists cover what our TinyMCE toolbar produces. Images are
kept only when they point at our own media (MEDIA_URL or the images app's /images/ URLs):
a foreign image is a tracking pixel at best. Every link gets rel="noopener noreferrer" (nh3's
link_rel applies to all links; harmless on our own).
"""

import nh3
from django.conf import settings

TAGS = {
    "p",
    "br",
    "hr",
    "strong",
    "b",
    "em",
    "i",
    "u",
    "s",
    "sub",
    "sup",
    "span",
    "a",
    "ul",
    "ol",
    "li",
    "h2",
    "h3",
    "h4",
    "blockquote",
    "cite",  # a quotation's source, under it: <blockquote><p>…</p><p><cite>…</cite></p>
    "code",
    "pre",
    "img",
    "figure",
    "figcaption",
    "table",
    "caption",
    "colgroup",
    "col",
    "thead",
    "tbody",
    "tfoot",
    "tr",
    "th",
    "td",
}
# Removed with their content, not just unwrapped.
CLEAN_CONTENT_TAGS = {
    "script",
    "style",
    "svg",
    "math",
    "iframe",
    "object",
    "embed",
    "noscript",
    "template",
    "textarea",
    "select",
}
ALIGNABLE = {"p", "h2", "h3", "h4", "td", "th", "span", "figure", "li"}
ATTRIBUTES = {
    "a": {"href", "title", "target"},
    "img": {"src", "alt", "width", "height", "title"},
    "ol": {"start"},
    "th": {"colspan", "rowspan", "scope"},
    "td": {"colspan", "rowspan"},
    "col": {"span"},
    "colgroup": {"span"},
    **{tag: {"style"} for tag in ALIGNABLE - {"td", "th"}},
}
ATTRIBUTES["td"] |= {"style"}
ATTRIBUTES["th"] |= {"style"}
# What TinyMCE writes in style attributes for alignment, indentation and underline/strike.
STYLE_PROPERTIES = {"text-align", "text-decoration", "padding-left"}
URL_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "noopener noreferrer"


def own_image_prefixes() -> tuple[str, ...]:
    return (settings.MEDIA_URL, "/images/")


def is_own_image(url: str) -> bool:
    # "//host/..." is protocol-relative, i.e. another site, even though it starts with "/".
    # ".." could climb out of the media prefix to any URL of ours.
    return (
        not url.startswith("//")
        and ".." not in url
        and "\\" not in url
        and url.startswith(own_image_prefixes())
    )


def filter_attribute(tag: str, attribute: str, value: str) -> str | None:
    if tag == "img" and attribute == "src":
        return value if is_own_image(value.strip()) else None
    return value


def clean_rich_text(html: str) -> str:
    """The HTML with only allowed tags, attributes, URL schemes and images kept."""
    if not html:
        return ""
    return nh3.clean(
        html,
        tags=TAGS,
        clean_content_tags=CLEAN_CONTENT_TAGS,
        attributes=ATTRIBUTES,
        attribute_filter=filter_attribute,
        url_schemes=URL_SCHEMES,
        link_rel=LINK_REL,
        strip_comments=True,
        filter_style_properties=STYLE_PROPERTIES,
    )
