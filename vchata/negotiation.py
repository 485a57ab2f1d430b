"""Content negotiation: DRF's, answering the common request without parsing its ``Accept`` header.

Most API clients send no ``Accept`` header, ``*/*`` or exactly the first renderer's media type
(``application/json``). For those DRF's negotiation builds the request's header mapping from
``META``, parses each media type and ranks them, only to pick the first renderer: about a sixth of
``/auth/me``'s own time. Here they get that first renderer and the media type DRF would answer
with; any other header, and a ``?format=`` or format suffix, goes through DRF unchanged.
"""

from rest_framework.negotiation import DefaultContentNegotiation


class FirstRendererNegotiation(DefaultContentNegotiation):
    def select_renderer(self, request, renderers, format_suffix=None):
        accept = request.META.get("HTTP_ACCEPT")
        first = renderers[0] if renderers else None
        if (
            first is not None
            and not format_suffix
            and (accept is None or accept == "*/*" or accept == first.media_type)
            and self.settings.URL_FORMAT_OVERRIDE not in request.query_params
        ):
            return first, first.media_type
        return super().select_renderer(request, renderers, format_suffix)
