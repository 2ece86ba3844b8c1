"""Gzip for the site's text responses, only where BREACH has nothing to find.

BREACH recovers a secret from a compressed response by reflecting guesses into the same
response and watching its length: it needs a secret in the body that stays the same from one
response to the next, input of the attacker's in that body, compression, and the length to
observe. We take away the first: a response is compressed only when it cannot hold a secret of
the client's. The rule, in `holds_no_secret`:

- the request carries no session cookie: a signed-in reader's pages (and those of anyone with a
  session) hold what is theirs, and the CSRF token in every form, so they are sent as they are;
- the response sets no cookie: a page that used the CSRF token sets the CSRF cookie (Django
  documents this side effect of `get_token`), as does a response that starts a session or reads
  the messages. CsrfViewMiddleware has reset `CSRF_COOKIE_NEEDS_UPDATE` by the time this
  middleware, the first in MIDDLEWARE, sees the response; the cookie is what is left to see.

What remains is what anybody gets by asking for the URL without cookies: the guides, lists,
polls' results, search results, feeds, the sitemap. Reflecting the query there (search) has
nothing to guess at. Django adds 0-99 random bytes to each gzip header on top ("Heal The
Breach"), which blurs lengths but does not by itself stop an attacker who averages.

Only whole text bodies are compressed: images and other files are streamed (FileResponse),
static files come from whitenoise already compressed, and Django's GZipMiddleware then does the
rest: nothing under 200 bytes or already encoded, `Vary: Accept-Encoding`, weak ETags, level 6.
"""

from django.conf import settings
from django.middleware.gzip import GZipMiddleware

TEXT_TYPES = frozenset(
    {
        "text/html",
        "text/plain",
        "text/xml",
        "application/xml",  # the sitemap
        "application/rss+xml",
        "application/atom+xml",
        "application/json",
    }
)


def holds_no_secret(request, response) -> bool:
    """Whether the response is one anyone would get without cookies (see the module's rule)."""
    return settings.SESSION_COOKIE_NAME not in request.COOKIES and not response.cookies


def is_text(response) -> bool:
    media_type = response.get("Content-Type", "").partition(";")[0].strip().lower()
    return not response.streaming and media_type in TEXT_TYPES


class CompressionMiddleware(GZipMiddleware):
    """Django's GZipMiddleware for text that holds no secret; everything else passes untouched
    (and without `Vary: Accept-Encoding`, since it is the same whatever the client accepts)."""

    def process_response(self, request, response):
        if not is_text(response) or not holds_no_secret(request, response):
            return response
        return super().process_response(request, response)
