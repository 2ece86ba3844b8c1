"""Our CSP middleware builds the policy once; its headers are django-csp's own."""

import pytest
from csp.decorators import csp_exempt, csp_update
from csp.middleware import CSPMiddleware as DjangoCSPMiddleware
from django.http import HttpResponse
from django.template import engines
from django.test import RequestFactory

from guidebook.core.csp import CSPMiddleware


def plain(request):
    return HttpResponse("plain")


@csp_update({"img-src": ["https://tiles.example.com"]})
def updated(request):
    return HttpResponse("updated")


@csp_exempt()
def exempt(request):
    return HttpResponse("exempt")


def with_nonce(request):
    template = engines["django"].from_string('<script nonce="{{ request.csp_nonce }}"></script>')
    return HttpResponse(template.render({}, request))


@pytest.mark.parametrize("view", [plain, updated, exempt, with_nonce])
def test_the_headers_are_django_csps_own(view):
    headers = []
    for middleware in (CSPMiddleware(view), DjangoCSPMiddleware(view)):
        request = RequestFactory().get("/")
        response = middleware(request)
        headers.append(response.headers.get("Content-Security-Policy"))
        if view is with_nonce:  # a fresh nonce each time (in the header if the policy asks)
            nonce = request._csp_nonce
            assert nonce in response.content.decode()
            headers[-1] = headers[-1].replace(nonce, "NONCE")
    assert headers[0] == headers[1]
    assert (headers[0] is None) == (view is exempt)
