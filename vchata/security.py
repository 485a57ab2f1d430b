"""Security headers, and the deploy checks Django itself does not make.

``SecurityHeadersMiddleware`` is django-csp's middleware choosing the policy by
path: the pages get ``settings.CONTENT_SECURITY_POLICY``; JSON API responses,
which never load anything, get a policy that allows nothing; Swagger UI at
``/api/docs`` gets the little it needs (its bundle inlines styles and icons).
Every response also gets a ``Permissions-Policy`` turning off browser features
the CRM never uses. Django's ``SecurityMiddleware`` and
``XFrameOptionsMiddleware`` add HSTS, nosniff, Referrer-Policy,
Cross-Origin-Opener-Policy and X-Frame-Options.
"""

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.core import checks

from vchata.middleware import is_api_path

API_POLICY = {
    "default-src": ["'none'"],
    "frame-ancestors": ["'none'"],
    "base-uri": ["'none'"],
    "form-action": ["'none'"],
}

# The split Swagger view (vchata/urls.py) loads its start-up script from a URL,
# so scripts stay 'self'; the bundle sets inline styles and data: images.
DOCS_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "frame-ancestors": ["'none'"],
}

PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"


class SecurityHeadersMiddleware(CSPMiddleware):
    def get_policy_parts(self, request, response, report_only: bool = False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if report_only or parts.config is not None:
            return parts  # a view chose its own policy with django-csp's decorators
        path = request.path_info
        if path.startswith("/api/docs"):
            parts.config = DOCS_POLICY
        elif is_api_path(path):
            parts.config = API_POLICY
        return parts

    def process_response(self, request, response):
        response = super().process_response(request, response)
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response


@checks.register(checks.Tags.security, deploy=True)
def check_production_secrets(app_configs, **kwargs) -> list[checks.CheckMessage]:
    """Django accepts the long built-in development key; a deployment must not."""
    problems = []
    if not settings.SECRET_KEY_FROM_ENV:
        problems.append(
            checks.Warning(
                "SECRET_KEY is the built-in development key.",
                hint="Set SECRET_KEY in the environment (50+ random characters).",
                id="vchata.W001",
            )
        )
    return problems
