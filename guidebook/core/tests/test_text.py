import pytest
from django.template import engines

from guidebook.core.text import html_to_text

GUIDE_BODY = (
    "<h2>Why go</h2><p>The harbour at dawn.</p>"
    "<h2>Where to stand</h2><p>By the <strong>light</strong>house, then<br>walk on.</p>"
    "<ul><li>Boots</li><li>Water</li></ul>"
    "<blockquote><p>Worth it.</p></blockquote>"
    "<table><tr><th>Day</th><th>Tide</th></tr><tr><td>Mon</td><td>Low</td></tr></table>"
    "<figure><img src='/media/a.jpg' alt=''><figcaption>The pier</figcaption></figure>"
    "<pre>N 38°</pre><div>End</div>"
)


def test_blocks_and_line_breaks_keep_words_apart():
    assert html_to_text(GUIDE_BODY) == (
        "Why go The harbour at dawn. Where to stand By the lighthouse, then walk on. "
        "Boots Water Worth it. Day Tide Mon Low The pier N 38° End"
    )


def test_inline_elements_do_not_split_a_word():
    assert html_to_text("<p>Light<em>house</em> and <a href='/x'>har</a>bour</p>") == (
        "Lighthouse and harbour"
    )


@pytest.mark.parametrize(
    ("html", "text"),
    [
        ("<h1>One</h1><h3>Two</h3><h6>Three</h6>", "One Two Three"),
        ("<section>One</section><section>Two</section>", "One Two"),
        ("a<br>b<br/>c<br />d", "a b c d"),
        ("<p>a</p>\n\n  <p>  b\t c </p>", "a b c"),
        ("<hr>a<hr/>b", "a b"),
    ],
)
def test_every_kind_of_block_separates(html, text):
    assert html_to_text(html) == text


def test_entities_are_decoded_and_no_break_spaces_collapse():
    assert html_to_text("<p>Fish &amp; chips&nbsp;&nbsp;&#8211; caf&eacute; &lt;b&gt;</p>") == (
        "Fish & chips \u2013 café <b>"
    )


def test_script_style_and_template_content_is_dropped():
    html = (
        "<p>Before</p><script>alert('x')</script><style>p { color: red }</style>"
        "<template><p>hidden</p></template><p>After</p>"
    )
    assert html_to_text(html) == "Before After"


@pytest.mark.parametrize("html", ["", None, "   ", "<p></p><br>"])
def test_nothing_gives_an_empty_string(html):
    assert html_to_text(html) == ""


def test_unclosed_and_stray_tags_lose_no_words():
    assert html_to_text("<p>Open <b>bold</p></div><li>item") == "Open bold item"


def test_plain_text_passes_through():
    assert html_to_text("Just words, 3 < 4 and 5 > 2.") == "Just words, 3 < 4 and 5 > 2."


def render(source: str, **context) -> str:
    return engines["django"].from_string(source).render(context)


def test_plaintext_filter_separates_blocks_and_the_template_escapes_the_result():
    html = "<h2>Harbour</h2><p>Lighthouse &lt;script&gt;</p>"
    assert render("{% load text %}{{ body|plaintext }}", body=html) == (
        "Harbour Lighthouse &lt;script&gt;"
    )


def test_plaintext_filter_of_nothing_is_empty():
    assert render("{% load text %}[{{ body|plaintext }}]", body=None) == "[]"
