import re
from urllib.parse import urlencode

from django import forms

from leads.sources import source_choices
from vchata.ids import id_pattern

from .select_html import PlainSelect
from .selectors import ASSIGNEE_MINE, ASSIGNEE_NOBODY, BoardFilters

USER_ID = re.compile(id_pattern("user"))


class BoardFilterForm(forms.Form):
    """Renders the board's GET filters; the values themselves are read by ``filters_from_query``."""

    assignee = forms.ChoiceField(label="Assignee", required=False, widget=PlainSelect)
    source = forms.ChoiceField(label="Source", required=False, widget=PlainSelect)
    q = forms.CharField(
        label="Search",
        required=False,
        max_length=200,
        widget=forms.SearchInput(attrs={"placeholder": "Search name, email, company", "autocomplete": "off"}),
    )

    def __init__(self, data=None, *, members, sources, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["assignee"].choices = [
            ("", "Anyone"),
            (ASSIGNEE_MINE, "Assigned to me"),
            (ASSIGNEE_NOBODY, "Unassigned"),
            *[(member.pk, member.name or member.email) for member in members],
        ]
        self.fields["source"].choices = [("", "Any source"), *source_choices(sources)]


class MoveCardForm(forms.Form):
    stage = forms.CharField(max_length=40)
    # Why, for a move into a stage that marks the lead lost (the "Move to…" form offers the org's reasons).
    lost_reason = forms.CharField(max_length=40, required=False)


def filters_from_query(params) -> BoardFilters:
    """Board filters straight from a query string, for the partial views that render no filter form.

    An assignee that is not a member simply matches nothing (cards are always
    read through ``for_org``), so no lookup is needed here.
    """
    assignee = (params.get("assignee") or "").strip()
    if assignee not in (ASSIGNEE_MINE, ASSIGNEE_NOBODY) and not USER_ID.fullmatch(assignee):
        assignee = ""
    return BoardFilters(
        assignee=assignee,
        source=(params.get("source") or "").strip()[:100],
        search=(params.get("q") or "").strip()[:200],
    )


def filter_querystring(filters: BoardFilters) -> str:
    """The active filters as a query string (no leading ``?``), carried by every board link and form."""
    pairs = {"assignee": filters.assignee, "source": filters.source, "q": filters.search}
    return urlencode({key: value for key, value in pairs.items() if value})
