"""Org pages show times in the organization's time zone; everything else (the API, the admin) in UTC.

``OrgPageMixin`` activates the org's zone once it knows the member's org, so templates' dates and
``timezone.localtime`` read as the team's clock ("today 10:00" on a card means 10:00 there).
The zone is the thread's until reset, and a page's template renders after its view returns, so
``ResetTimeZoneMiddleware`` puts UTC back when each response is done, whatever the view did.
"""

from django.utils import timezone


def activate_org_time_zone(org) -> None:
    timezone.activate(org.time_zone or "UTC")


class ResetTimeZoneMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            return self.get_response(request)  # a TemplateResponse is rendered inside this call
        finally:
            timezone.deactivate()
