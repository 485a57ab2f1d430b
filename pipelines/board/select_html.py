"""The board filter's ``<select>``s written in Python: Django's ``Select`` markup, byte for byte.

Django renders a select through a template per option (``select_option.html``,
which includes ``attrs.html``): for the board's assignee and source choices,
~30 template includes, ~3 ms of a page. ``PlainSelect`` writes the same markup
as a join of escaped strings, exactly as those templates escape and space it
(``pipelines/board/tests/test_select_html.py`` compares it with Django's); choices in option
groups, or labels that aren't text, are left to Django's templates.
"""

from django import forms
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData, mark_safe


class PlainSelect(forms.Select):
    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        groups = widget["optgroups"]
        if any(
            group_name or not all(isinstance(o["label"], str) for o in options) for group_name, options, _ in groups
        ):
            return super().render(name, value, attrs, renderer)
        options = "".join(
            f'\n  <option value="{_formatted(option["value"])}"{_attrs(option["attrs"])}>'
            f"{conditional_escape(option['label'])}</option>\n"
            for _, group, _ in groups
            for option in group
        )
        return mark_safe(
            f'<select name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>{options}\n</select>'
        )


def _formatted(value) -> str:
    """``{{ value|stringformat:'s' }}``: ``%s``, safe if the value was, then escaped unless safe."""
    text = f"{value}"
    return conditional_escape(mark_safe(text) if isinstance(value, SafeData) else text)


def _attrs(attrs: dict) -> str:
    """``attrs.html``: `` name="value"`` each, a bare `` name`` for True, nothing for False."""
    return "".join(
        f" {conditional_escape(name)}" if value is True else f' {conditional_escape(name)}="{_formatted(value)}"'
        for name, value in attrs.items()
        if value is not False
    )
