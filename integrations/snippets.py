"""The copy-paste HTML a site puts on its page to post a lead form to ``POST /forms/{formKey}``."""

from django.template.loader import render_to_string


def form_snippet(*, endpoint: str) -> str:
    return render_to_string("integrations/form_snippet.html", {"endpoint": endpoint}).strip()
