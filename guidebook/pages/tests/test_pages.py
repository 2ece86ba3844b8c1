import json

import pytest
from django.contrib.flatpages.models import FlatPage
from django.contrib.sites.models import Site
from django.core import serializers
from django.urls import reverse

from guidebook.accounts.tests.factories import StaffFactory, UserFactory
from guidebook.events.models import Outbox
from guidebook.guides.tests.test_sanitize import PAYLOAD_IDS, PAYLOADS

pytestmark = pytest.mark.django_db


def make_page(url="/about/", title="About us", content="<p>We write guides.</p>", **fields):
    page = FlatPage.objects.create(url=url, title=title, content=content, **fields)
    page.sites.add(Site.objects.get_current())
    return page


def test_flatpage_is_served_through_the_site_templates(client):
    make_page()
    response = client.get("/about/")
    assert response.status_code == 200
    names = [t.name for t in response.templates]
    assert "flatpages/default.html" in names and "pages/base.html" in names
    assert "404.html" not in names  # looked for before a "page not found" page is rendered
    body = response.content.decode()
    assert "<p>We write guides.</p>" in body and 'class="site-header"' in body


def test_flatpage_without_trailing_slash_redirects(client):
    make_page()
    assert client.get("/about").status_code == 301


def test_registration_required_sends_anonymous_readers_to_log_in(client):
    make_page(url="/members/", registration_required=True)
    response = client.get("/members/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    client.force_login(UserFactory())
    assert client.get("/members/").status_code == 200


def test_unknown_url_is_still_a_404(client):
    assert client.get("/no-such-page/").status_code == 404


@pytest.mark.parametrize(("payload", "forbidden"), PAYLOADS, ids=PAYLOAD_IDS)
def test_direct_save_stores_payloads_harmless(payload, forbidden):
    page = make_page(content=f"<p>ok</p>{payload}")
    page.refresh_from_db()
    assert forbidden.lower() not in page.content.lower()


def test_fixture_load_is_cleaned_too():
    fixture = json.dumps(
        [
            {
                "model": "flatpages.flatpage",
                "pk": 77,
                "fields": {
                    "url": "/fixture/",
                    "title": "Fixture",
                    "content": "<p onclick=x()>Hi</p><script>1</script>",
                    "enable_comments": False,
                    "template_name": "",
                    "registration_required": False,
                    "sites": [Site.objects.get_current().pk],
                },
            }
        ]
    )
    for obj in serializers.deserialize("json", fixture):
        obj.save()
    assert FlatPage.objects.get(pk=77).content == "<p>Hi</p>"


def admin_data(**overrides):
    return {
        "url": "/about/",
        "title": "About",
        "content": "<p>Hello</p>",
        "sites": [Site.objects.get_current().pk],
        "template_name": "",
        **overrides,
    }


def test_admin_form_uses_tinymce(client):
    client.force_login(StaffFactory())
    body = client.get(reverse("admin:flatpages_flatpage_add")).content.decode()
    assert "/static/tinymce/tinymce.min.js" in body and "tinymce" in body


@pytest.mark.parametrize(("payload", "forbidden"), PAYLOADS, ids=PAYLOAD_IDS)
def test_admin_post_stores_payloads_harmless_and_records_the_event(client, payload, forbidden):
    client.force_login(StaffFactory())
    response = client.post(
        reverse("admin:flatpages_flatpage_add"), admin_data(content=f"<p>ok</p>{payload}")
    )
    assert response.status_code == 302
    page = FlatPage.objects.get()
    assert forbidden.lower() not in page.content.lower()
    event = Outbox.objects.get(type="pages.page.updated")
    assert event.data == {"page_id": page.pk, "title": "About", "url": "/about/"}


def test_an_edit_shows_on_the_next_request(client):
    page = make_page(content="<p>Before</p>")
    assert b"Before" in client.get("/about/").content
    client.force_login(StaffFactory())
    client.post(
        reverse("admin:flatpages_flatpage_change", args=[page.pk]),
        admin_data(content="<p>After</p>"),
    )
    assert b"After" in client.get("/about/").content


# ------------------------------------------------------------------------------ search
SEARCH = reverse("pages:search")


def test_search_matches_title_and_content_case_insensitively(client):
    make_page(url="/about/", title="About us", content="<p>Harbour walks</p>")
    make_page(url="/privacy/", title="Privacy", content="<p>Cookies</p>")
    assert [p.url for p in client.get(SEARCH, {"q": "HARBOUR"}).context["page_obj"]] == ["/about/"]
    assert [p.url for p in client.get(SEARCH, {"q": "privacy"}).context["page_obj"]] == [
        "/privacy/"
    ]


def test_search_results_and_index_text_read_blocks_as_separate_words(client):
    from django.template.loader import render_to_string

    page = make_page(url="/about/", title="About", content="<h2>Harbour</h2><p>Lighthouse</p>")
    html = client.get(SEARCH, {"q": "lighthouse"}).content.decode()
    assert '<span class="helptext">Harbour Lighthouse</span>' in html
    text = render_to_string("search/indexes/flatpages/flatpage_text.txt", {"object": page})
    assert text.splitlines() == ["About", "Harbour Lighthouse"]


@pytest.mark.parametrize("query", ["", "   "])
def test_empty_search_gives_no_results(client, query):
    make_page()
    response = client.get(SEARCH, {"q": query})
    assert response.status_code == 200
    assert list(response.context["page_obj"]) == []


def test_search_without_q_is_fine(client):
    assert client.get(SEARCH).status_code == 200


def test_search_query_is_escaped(client):
    response = client.get(SEARCH, {"q": '<script>alert("q")</script>'})
    assert response.status_code == 200
    assert b'<script>alert("q")' not in response.content
    assert b"&lt;script&gt;" in response.content


@pytest.mark.parametrize("query", ["%", "_", "\\", "'; DROP TABLE x; --", "x" * 5000, "\x00"])
def test_odd_queries_never_fail(client, query):
    make_page()
    assert client.get(SEARCH, {"q": query}).status_code in (200, 400)


def test_search_hides_members_pages_from_anonymous_readers(client):
    make_page(url="/members/", title="Members harbour", registration_required=True)
    assert list(client.get(SEARCH, {"q": "harbour"}).context["page_obj"]) == []
    client.force_login(UserFactory())
    assert len(client.get(SEARCH, {"q": "harbour"}).context["page_obj"]) == 1


HOSTILE_TITLE = '<script src="/tinymce/compressor/?js=true&plugins=alert(1)"></script>Hi'


def test_a_page_title_is_text_everywhere_it_is_shown(client):
    make_page(url="/hostile/", title=HOSTILE_TITLE)
    body = client.get("/hostile/").content.decode()
    assert '<script src="/tinymce/' not in body
    assert body.count("&lt;script src=&quot;/tinymce/compressor/") == 2  # <title> and <h1>


@pytest.mark.parametrize(
    "path",
    [
        "/tinymce/compressor/?js=true&plugins=x",
        "/tinymce/filebrowser/",
        "/tinymce/flatpages_link_list/",
    ],
)
def test_django_tinymce_routes_nothing_to_visitors(client, path):
    make_page(url="/members/", title="Members only", registration_required=True)
    response = client.get(path)
    assert response.status_code == 404
    assert b"Members only" not in response.content
