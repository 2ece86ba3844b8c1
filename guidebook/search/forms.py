from django import forms

from .services import KINDS, MAX_QUERY_CHARS

FACET_VALUE_CHARS = 100


class SearchForm(forms.Form):
    """Reads the query string leniently: anything a visitor types gives a page, never an error
    (a query longer than MAX_QUERY_CHARS is shortened, an unknown kind or page is ignored)."""

    q = forms.CharField(required=False, strip=True, label="Search")
    kind = forms.CharField(required=False)
    category = forms.CharField(required=False)
    tag = forms.CharField(required=False)
    page = forms.CharField(required=False)

    def clean_q(self):
        query = " ".join(self.cleaned_data["q"].split())
        self.shortened = len(query) > MAX_QUERY_CHARS
        return query[:MAX_QUERY_CHARS]

    def clean_kind(self):
        kind = self.cleaned_data["kind"]
        return kind if kind in KINDS else ""

    def clean_category(self):
        return self.cleaned_data["category"][:FACET_VALUE_CHARS]

    def clean_tag(self):
        return self.cleaned_data["tag"][:FACET_VALUE_CHARS]

    def clean_page(self):
        page = self.cleaned_data["page"]
        return max(1, min(int(page), 10_000)) if page.isdigit() else 1
