"""django-csp's middleware with the site's policy built once instead of on every response."""

from functools import cached_property

from csp.constants import HEADER
from csp.middleware import CheckableLazyObject
from csp.middleware import CSPMiddleware as BaseCSPMiddleware
from csp.utils import build_policy
from django.conf import settings

# What a view's decorators (csp_update, csp_exempt ...) leave on a response.
PER_RESPONSE = ("_csp_config", "_csp_update", "_csp_replace", "_csp_exempt")


class CSPMiddleware(BaseCSPMiddleware):
    """Building the header from the settings is about 15 µs, a few per cent of a cached page,
    and gives the same string every time unless the response used a nonce or a view changed its
    policy; those still go through django-csp's own code. The site has no report-only policy
    (base.py sets none), so that header is never needed here."""

    @cached_property
    def policy(self) -> str:
        return build_policy()

    @cached_property
    def excluded_prefixes(self) -> tuple[str, ...]:
        policy = getattr(settings, "CONTENT_SECURITY_POLICY", None) or {}
        return tuple(policy.get("EXCLUDE_URL_PREFIXES", None) or ())

    def process_response(self, request, response):
        if (
            getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None)
            or getattr(request, "_csp_nonce", None) is not None
            or any(getattr(response, name, None) is not None for name in PER_RESPONSE)
            or (settings.DEBUG and response.status_code in (404, 500))
        ):
            return super().process_response(request, response)
        if HEADER not in response and not request.path_info.startswith(self.excluded_prefixes):
            response[HEADER] = self.policy
        # As django-csp does: a nonce asked for from now on would not be in the header.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response
