"""``{{ lead.source|source_label }}``: a source as people read it ("Cold outreach")."""

from django import template

from leads.sources import source_label as label_of

register = template.Library()


@register.filter
def source_label(source) -> str:
    return label_of(source)
